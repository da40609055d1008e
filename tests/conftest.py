"""Shared fixtures: one app per test session, a clean database per test, clients per role."""
import os
import secrets
import socket
import uuid

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from config import normalise_database_url
from extensions import db, limiter, socketio
from models import AgentArea, Area, Category, Counter, CounterService, Location, Priority, Role, Service, User
from tests.support.background import BackgroundTasks

# Support modules that define fixtures: tests ask for those by name, and import only the plain helpers.
pytest_plugins = ["tests.support.attachments", "tests.support.chat", "tests.support.mail"]

PASSWORD = "password123"
ROLES = [role.value for role in Role]


class CSRFClient(FlaskClient):
    """A test client whose form POSTs carry a valid CSRF token, as a browser's would.

    Pass csrf=False to send a POST without one.
    """

    def csrf_token(self):
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def post(self, *args, csrf=True, **kwargs):
        data = kwargs.get("data")
        api_call = "Authorization" in (kwargs.get("headers") or {})  # Bearer tokens need no CSRF
        if csrf and not api_call and kwargs.get("json") is None and (data is None or isinstance(data, dict)):
            kwargs["data"] = {"csrf_token": self.csrf_token(), **(data or {})}
        return super().post(*args, **kwargs)


def test_overrides(database_uri, instance_dir):
    return {
        "TESTING": True,
        "INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": "test-" + "k" * 40,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "ASYNC_MODE": "threading",
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing; the algorithm is the same
        "MAIL_SERVER": None,
        "CORS_ORIGINS": "",
        "SERVER_NAME": None,
        "DEFAULT_LOCALE": "es",
        "BABEL_DEFAULT_LOCALE": "es",
    }


def make_app(database_uri, instance_dir, **overrides):
    app = create_app({**test_overrides(database_uri, instance_dir), **overrides})
    app.test_client_class = CSRFClient
    return app


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    app = make_app(f"sqlite:///{instance / 'test.db'}", instance)
    with app.app_context():
        db.create_all()
    return app


def empty_tables():
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def clean_state(request):
    """Each test starts with empty tables and fresh rate-limit counters."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        empty_tables()
    app.extensions.pop("setup_done", None)
    limiter.reset()
    yield
    with app.app_context():
        db.session.rollback()
        empty_tables()


@pytest.fixture(autouse=True)
def background_tasks(clean_state, monkeypatch):
    """Socket.IO background tasks end with the test that started them, before its tables are
    emptied (see tests/support/background.py). `background_tasks.join(target)` waits for them."""
    tasks = BackgroundTasks(socketio.start_background_task)
    monkeypatch.setattr(socketio, "start_background_task", tasks.start)
    monkeypatch.setattr(socketio, "sleep", tasks.sleep)
    yield tasks
    tasks.finish()


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield


@pytest.fixture
def data(app):
    """`with data():` reads or changes rows in an app context of its own, apart from the requests'."""
    return app.app_context


@pytest.fixture
def users(app):
    """One active account per role, password PASSWORD, no forced change. Returns {role: id}."""
    with app.app_context():
        ids = {}
        for role in Role:
            user = User(username=f"{role.value}1", email=f"{role.value}1@example.org",
                        full_name=f"{role.value.title()} Uno", role=role)
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            ids[role.value] = user.id
        db.session.commit()
    return ids


@pytest.fixture
def client(app):
    return app.test_client()


def login(client, username, password=PASSWORD):
    return client.post("/login", data={"login": username, "password": password})


@pytest.fixture
def client_as(app, users):
    """client_as("agent") gives a client signed in with that role's account."""

    def make(role):
        if role is None:
            return app.test_client()
        new_client = app.test_client()
        response = login(new_client, f"{role}1")
        assert response.status_code == 302, response.get_data(as_text=True)
        return new_client

    return make


@pytest.fixture
def admin_client(client_as):
    return client_as("admin")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- PostgreSQL -------------------------------------------------------------------------


def postgres_admin_url():
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else None


@pytest.fixture(scope="session")
def postgres_server():
    """The TEST_DATABASE_URL server. Skipped when unset; a failure when set but unreachable."""
    url = postgres_admin_url()
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        pytest.fail(f"TEST_DATABASE_URL is set but PostgreSQL cannot be reached: {error}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def new_postgres_database(postgres_server):
    """Factory: a brand-new empty database on the test server, dropped at the end of the session."""
    created = []

    def make():
        name = f"servicedesk_test_{uuid.uuid4().hex[:12]}"
        with postgres_server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(postgres_server.url).set(database=name).render_as_string(hide_password=False)

    yield make
    with postgres_server.connect() as connection:
        for name in created:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_app(new_postgres_database, tmp_path_factory):
    """The app on its own PostgreSQL database, for tests that need real row locks."""
    app = make_app(new_postgres_database(), tmp_path_factory.mktemp("pg-instance"))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def pg_clean(pg_app):
    with pg_app.app_context():
        empty_tables()
    pg_app.extensions.pop("setup_done", None)
    yield pg_app
    with pg_app.app_context():
        db.session.rollback()
        empty_tables()


# --- walk-in queue ----------------------------------------------------------------------


@pytest.fixture
def queue_desk(app, users):
    """Services A (General) and B (Caja); counter 1 serves A then B, counter 2 B then A,
    counter 3 only A; staff1 sits at counter 1. Returns the ids."""
    with app.app_context():
        return build_queue_desk(users)


def build_queue_desk(users):
    general = Service(name="General", prefix="A", color="#0d6efd", position=0)
    cashier = Service(name="Caja", prefix="B", color="#198754", position=1)
    counters = [
        Counter(name="Módulo 1", position=1, service_links=[CounterService(service=general, position=0),
                                                            CounterService(service=cashier, position=1)]),
        Counter(name="Módulo 2", position=2, service_links=[CounterService(service=cashier, position=0),
                                                            CounterService(service=general, position=1)]),
        Counter(name="Módulo 3", position=3, service_links=[CounterService(service=general, position=0)]),
    ]
    db.session.add_all([general, cashier, *counters])
    db.session.flush()
    db.session.get(User, users["staff"]).counter_id = counters[0].id
    db.session.commit()
    return {"A": general.id, "B": cashier.id, "counters": [c.id for c in counters], **users}


# --- helpdesk ---------------------------------------------------------------------------


@pytest.fixture
def helpdesk(app, users):
    """Priorities low..critical; areas Soporte (agent1 works there) and Facturación (nobody);
    categories Impresora (Soporte, medium), Red (Soporte, high) and Factura (Facturación, low);
    a location. Returns the ids, users' ids included."""
    with app.app_context():
        return build_helpdesk(users)


def build_helpdesk(users):
    priorities = {code: Priority(code=code, name=code.title(), level=level, response_hours=response,
                                 resolution_hours=resolution)
                  for code, level, response, resolution in [("low", 1, 24, 72), ("medium", 2, 8, 48),
                                                            ("high", 3, 4, 24), ("critical", 4, 1, 8)]}
    support, billing = Area(name="Soporte Técnico"), Area(name="Facturación")
    printer = Category(area=support, name="Impresora", default_priority=priorities["medium"])
    network = Category(area=support, name="Red", default_priority=priorities["high"])
    invoice = Category(area=billing, name="Factura", default_priority=priorities["low"])
    location = Location(name="Edificio Central")
    db.session.add_all([*priorities.values(), support, billing, printer, network, invoice, location])
    db.session.flush()
    db.session.add(AgentArea(user_id=users["agent"], area_id=support.id))
    db.session.commit()
    return {"priorities": {code: p.id for code, p in priorities.items()}, "support": support.id,
            "billing": billing.id, "printer": printer.id, "network": network.id, "invoice": invoice.id,
            "location": location.id, **users}
