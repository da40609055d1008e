"""flask seed [--demo], flask reset-admin, flask check."""
import re
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
from aiosmtpd.controller import Controller

from extensions import db
from models import Area, Category, Counter, Priority, QueueStatus, QueueTicket, Role, Service, User
from services.queue import line as queue
from services.settings import save_settings
from tests.conftest import free_port, make_app


def strip_colours(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_seed_creates_an_admin_with_a_password_shown_once(app, runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    password = result.output.split("password: ")[1].split()[0]
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        assert admin.role == Role.ADMIN and admin.must_change_password and admin.check_password(password)
    again = runner.invoke(args=["seed"])
    assert "password" not in again.output and "Nothing to seed" in again.output


def test_seed_takes_the_admin_from_the_environment(app, runner):
    app.config.update(ADMIN_USERNAME="Jefe", ADMIN_PASSWORD="from-the-env-1")
    try:
        result = runner.invoke(args=["seed"])
    finally:
        app.config.update(ADMIN_USERNAME="admin", ADMIN_PASSWORD=None)
    assert "from-the-env-1" not in result.output
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "jefe"))
        assert admin.check_password("from-the-env-1") and not admin.must_change_password


def test_seed_demo_builds_the_demo_and_twice_changes_nothing(app, runner):
    result = runner.invoke(args=["seed", "--demo"])
    assert result.exit_code == 0
    for name in ("admin", "staff1", "staff2", "registrar1", "agent1", "agent2", "user1"):
        assert name in result.output
    with app.app_context():
        snapshot = {model.__name__: count(model) for model in (User, Service, Counter, Area, Category, Priority)}
        assert snapshot == {"User": 7, "Service": 2, "Counter": 3, "Area": 2, "Category": 5, "Priority": 4}
        users = {u.username: u for u in db.session.scalars(db.select(User))}
        assert all(u.check_password("demo1234") and not u.must_change_password for u in users.values())
        assert users["staff1"].counter.name == "Módulo 1" and users["staff2"].counter.name == "Módulo 2"
        assert {s.prefix: s.name for s in db.session.scalars(db.select(Service))} == {"A": "General", "B": "Caja"}
    second = runner.invoke(args=["seed", "--demo"])
    assert second.exit_code == 0 and "Nothing to seed" in second.output
    with app.app_context():
        assert {model.__name__: count(model) for model in (User, Service, Counter, Area, Category, Priority)} \
            == snapshot


def test_reset_admin_gives_a_new_password_and_restores_the_role(app, runner, users):
    with app.app_context():
        admin = db.session.get(User, users["admin"])
        admin.active = False
        db.session.commit()
    result = runner.invoke(args=["reset-admin", "--username", "admin1"])
    password = result.output.split("password: ")[1].split()[0]
    with app.app_context():
        admin = db.session.get(User, users["admin"])
        assert admin.active and admin.role == Role.ADMIN and admin.must_change_password
        assert admin.check_password(password)


def test_check_passes_on_a_migrated_database_and_warns_about_demo_passwords(tmp_path):
    migrated = make_app(f"sqlite:///{tmp_path / 'checked.db'}", tmp_path)
    with migrated.app_context():
        flask_migrate.upgrade()
    runner = migrated.test_cli_runner()
    runner.invoke(args=["seed", "--demo"])
    result = runner.invoke(args=["check"])
    output = strip_colours(result.output)
    assert result.exit_code == 0, output
    assert "[OK] database" in output and "[OK] schema: at head" in output and "[OK] secret key" in output
    assert "[WARN] mail: no SMTP server" in output
    assert "[WARN] demo passwords: still in use by: admin" in output
    with migrated.app_context():
        db.session.remove()
        db.engine.dispose()


def test_check_fails_when_the_schema_is_behind_the_migrations(app, runner):
    result = runner.invoke(args=["check"])  # the test database is built without migrations
    assert result.exit_code == 1 and "[FAIL] schema" in strip_colours(result.output)


def test_check_fails_on_a_short_secret_key(app, runner):
    app.config["SECRET_KEY"] = "short"
    try:
        result = runner.invoke(args=["check"])
    finally:
        app.config["SECRET_KEY"] = "test-" + "k" * 40
    assert "[FAIL] secret key" in result.output.replace("\x1b[31m", "").replace("\x1b[0m", "")


def test_check_opens_a_session_with_the_configured_smtp_server(app, runner, users):
    class Accept:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    port = free_port()
    smtp = Controller(Accept(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with app.app_context():
            save_settings({"mail_server": "127.0.0.1", "mail_port": port,
                           "mail_use_tls": False, "mail_default_sender": "desk@example.org"},
                          actor=db.session.get(User, users["admin"]))
        assert "[OK] mail: 127.0.0.1:" in strip_colours(runner.invoke(args=["check"]).output)
    finally:
        smtp.stop()
    assert "[WARN] mail: 127.0.0.1:" in strip_colours(runner.invoke(args=["check"]).output)


def test_close_queue_day_settles_earlier_days(app, runner, queue_desk):
    with app.app_context():
        service = db.session.get(Service, queue_desk["A"])
        ticket = queue.issue_ticket(service, now=datetime.now(UTC) - timedelta(days=2))
    result = runner.invoke(args=["close-queue-day"])
    assert result.exit_code == 0 and "Closed 1 queue ticket" in result.output
    with app.app_context():
        assert db.session.get(QueueTicket, ticket.id).status == QueueStatus.CANCELLED
