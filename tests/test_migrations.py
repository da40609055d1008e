"""The migrations build exactly the schema models.py describes, on SQLite and PostgreSQL."""
import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import cli
from extensions import db
from models import include_in_schema_compare
from tests.conftest import make_app


def assert_migrations_match_models(database_url, instance_dir):
    app = make_app(database_url, instance_dir)
    with app.app_context():
        flask_migrate.upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                                   "include_object": include_in_schema_compare})
            assert compare_metadata(context, db.metadata) == []
        status, _, detail = cli.check_schema()
        assert status == "ok", detail

        flask_migrate.downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        flask_migrate.upgrade()  # and back up again
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()


def test_sqlite_upgrade_matches_models_and_downgrades(tmp_path):
    assert_migrations_match_models(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path)


@pytest.mark.postgres
def test_postgresql_upgrade_matches_models_and_downgrades(new_postgres_database, tmp_path):
    assert_migrations_match_models(new_postgres_database(), tmp_path)
