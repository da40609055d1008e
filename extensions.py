"""Extensions, created unbound; app.py binds them to the application. Also the database helpers
every layer uses: the upsert of either database, and running something once a transaction commits."""
import logging

from flask_babel import Babel
from flask_cors import CORS
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

log = logging.getLogger(__name__)

# One naming convention, so Alembic names constraints the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay readable after commit without a reload: a request commits, then renders what it saved.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
socketio = SocketIO()
babel = Babel()
jwt = JWTManager()
mail = Mail()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
cors = CORS()


def upsert_into(table):
    """An INSERT on `table` that takes ON CONFLICT: both databases speak it, but SQLAlchemy
    builds it per dialect."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def init_cors(app):
    """Cross-origin calls reach the JSON API only, and only from CORS_ORIGINS (exact origins, never
    "*"). The API authenticates with a Bearer header, not cookies, so no credentials are allowed."""
    cors.init_app(app, resources={r"/api/.*": {"origins": app.config["CORS_ORIGINS"]}},
                  allow_headers=["Authorization", "Content-Type"], expose_headers=["Location"],
                  methods=["GET", "POST", "PUT", "DELETE"], supports_credentials=False, max_age=600)


@event.listens_for(Engine, "connect")
def tune_sqlite(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, let readers and a writer overlap, wait for locks."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def after_commit(callback, *args, **kwargs):
    """Run `callback` once the current transaction commits; forget it if it rolls back. Socket.IO
    subscribers queue their emits with this inside the transaction, so nobody hears of a change that did
    not happen, and the emit still follows the commit wherever the commit is."""
    db.session.connection()  # begins the transaction if needed, so its rollback drops the callback too
    db.session.info.setdefault("after_commit", []).append((callback, args, kwargs))


@event.listens_for(Session, "after_commit")
def _run_after_commit(session):
    for callback, args, kwargs in session.info.pop("after_commit", []):
        try:
            callback(*args, **kwargs)
        except Exception:  # an emit that fails must not undo or hide the commit that happened
            log.exception("after-commit %s failed", getattr(callback, "__name__", callback))


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_commit(session, previous_transaction):
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop("after_commit", None)
