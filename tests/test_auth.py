"""Signing in and out, registration, the idle timeout, forced password change, rate limits."""
import time

import itsdangerous.timed
import pytest

from extensions import db
from models import AuditLog, Role, User
from tests.conftest import PASSWORD, login
from web import security


def get_user(app, username):
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.username == username))


def test_login_by_username_then_logout(client, users):
    response = login(client, "agent1")
    assert response.status_code == 302
    page = client.get("/account")
    assert page.status_code == 200 and "agent1" in page.get_data(as_text=True)

    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/account").status_code == 302


def test_login_by_email_is_case_insensitive(client, users):
    assert login(client, "  AGENT1@Example.org ").status_code == 302
    assert client.get("/account").status_code == 200


def test_wrong_password_shows_an_error_and_no_session(client, users):
    response = login(client, "agent1", "wrong-password")
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_inactive_account_cannot_sign_in(app, client, users):
    with app.app_context():
        db.session.get(User, users["agent"]).active = False
        db.session.commit()
    assert login(client, "agent1").status_code == 200
    assert client.get("/account").status_code == 302


def test_admin_lands_on_the_dashboard_and_next_is_followed_only_on_site(client, users):
    response = client.post("/login?next=/admin/settings", data={"login": "admin1", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/settings"
    client.post("/logout")
    response = client.post("/login?next=https://evil.example/", data={"login": "admin1", "password": PASSWORD})
    assert response.headers["Location"] == "/admin"


@pytest.mark.parametrize("next_url", ["/a%0d%0aSet-Cookie:x=1", "/%09/evil.example", "/\\evil.example"])
def test_next_with_control_characters_or_backslashes_is_ignored(client, users, next_url):
    response = client.post(f"/login?next={next_url}", data={"login": "user1", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/tickets"


@pytest.mark.parametrize("role, home", [("staff", "/panel"), ("registrar", "/registro"),
                                        ("agent", "/tickets/ingeniero"), ("user", "/tickets")])
def test_each_role_lands_on_its_home(client, users, role, home):
    assert login(client, f"{role}1").headers["Location"] == home


def test_logout_needs_csrf(client_as):
    client = client_as("user")
    assert client.post("/logout", csrf=False).status_code == 400
    assert client.get("/account").status_code == 200


def test_post_without_csrf_token_is_refused(client, users):
    response = client.post("/login", data={"login": "admin1", "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


class FakeClock:
    """Moves the clocks the idle-timeout check and token signatures read."""

    def __init__(self, monkeypatch):
        self.now = time.time()
        monkeypatch.setattr(security, "time", self)
        monkeypatch.setattr(itsdangerous.timed, "time", self)

    def time(self):
        return self.now

    def advance(self, minutes):
        self.now += minutes * 60


def test_idle_session_returns_to_login_with_a_message(app, client, users, monkeypatch):
    clock = FakeClock(monkeypatch)
    login(client, "user1")
    clock.advance(app.config["SESSION_IDLE_MINUTES"] - 1)
    assert client.get("/account").status_code == 200  # activity renews the session
    clock.advance(app.config["SESSION_IDLE_MINUTES"] + 1)
    response = client.get("/account", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your session ended after 30 minutes without activity" in page
    assert client.get("/account").status_code == 302


def test_the_idle_message_says_one_minute_in_the_singular(app, client, users, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 1)
    clock = FakeClock(monkeypatch)
    login(client, "user1")
    clock.advance(2)
    response = client.get("/account", headers={"Accept-Language": "es"})
    page = client.get(response.headers["Location"], headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "Su sesión se cerró tras 1 minuto sin actividad." in page


def test_keepalive_keeps_an_open_page_signed_in(app, client, users, monkeypatch):
    clock = FakeClock(monkeypatch)
    login(client, "staff1")
    token = client.csrf_token()
    for _ in range(20):  # ten hours of an open kiosk or panel page pinging every half hour
        clock.advance(app.config["SESSION_IDLE_MINUTES"] - 2)
        response = client.post("/session/keepalive", headers={"X-CSRFToken": token}, csrf=False)
        assert response.status_code == 204
    assert client.get("/account").status_code == 200
    clock.advance(app.config["SESSION_IDLE_MINUTES"] + 1)  # the page was closed
    response = client.post("/session/keepalive", headers={"X-CSRFToken": token, "Accept": "application/json"},
                           csrf=False)
    assert response.status_code == 401 and response.json["error"] == "session_expired"


def test_keepalive_needs_a_session_and_a_csrf_header(client_as):
    anonymous = client_as(None)
    assert anonymous.post("/session/keepalive", headers={"Accept": "application/json"}).status_code == 401
    assert client_as("staff").post("/session/keepalive", csrf=False).status_code == 400


def test_forced_password_change_at_first_login(app, admin_client, client):
    admin_client.post("/admin/users/new", data={
        "username": "nuevo", "email": "nuevo@example.org", "full_name": "Nuevo",
        "role": "agent", "active": "y", "new_password": "temporal123",
    })
    response = login(client, "nuevo", "temporal123")
    assert response.headers["Location"] == "/password"
    blocked = client.get("/account")
    assert blocked.status_code == 302 and blocked.headers["Location"] == "/password"

    response = client.post("/password", data={"current_password": "temporal123", "new_password": "propia-clave-1",
                                              "confirm_password": "propia-clave-1"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert get_user(app, "nuevo").must_change_password is False


def test_change_password_ends_other_sessions(app, client_as, users):
    first, second = client_as("agent"), client_as("agent")
    response = first.post("/password", data={"current_password": PASSWORD, "new_password": "otra-clave-99",
                                             "confirm_password": "otra-clave-99"})
    assert response.status_code == 302
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302


def test_change_password_rejects_wrong_current_and_mismatch(client_as):
    client = client_as("user")
    response = client.post("/password", data={"current_password": "nope-nope", "new_password": "otra-clave-99",
                                              "confirm_password": "otra-clave-99"})
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    response = client.post("/password", data={"current_password": PASSWORD, "new_password": "otra-clave-99",
                                              "confirm_password": "different-99"})
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)


def test_self_registration_creates_a_requester(app, client, users):
    response = client.post("/register", data={
        "username": "maria", "email": "maria@example.org", "full_name": "María Pérez",
        "new_password": "segura-123", "confirm_password": "segura-123",
    })
    assert response.status_code == 302
    maria = get_user(app, "maria")
    assert maria.role == Role.USER and maria.must_change_password is False
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize("username, email, message", [
    ("Agent1", "new@example.org", "That username is already taken."),
    ("newname", "AGENT1@example.org", "That email address is already registered."),
])
def test_registration_refuses_taken_names(app, client, users, username, email, message):
    response = client.post("/register", headers={"Accept-Language": "en"}, data={
        "username": username, "email": email, "full_name": "Copia",
        "new_password": "segura-123", "confirm_password": "segura-123",
    })
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == len(users)


def test_registration_can_be_turned_off(app, admin_client, client):
    settings = {"organisation_name": "Clínica", "timezone": "America/Lima", "default_locale": "es",
                "mail_port": "587", "display_recent_count": "6", "attachment_max_mb": "5",
                "attachment_max_files": "5", "attachment_retention_days": "7",
                "auto_close_hours": "72"}  # allow_registration unchecked
    assert admin_client.post("/admin/settings", data=settings).status_code == 302
    assert client.get("/register").status_code == 404
    assert "/register" not in client.get("/login").get_data(as_text=True)


def test_login_is_rate_limited(client, users):
    for _ in range(10):
        assert login(client, "admin1", "wrong-password").status_code == 200
    assert login(client, "admin1", PASSWORD).status_code == 429


def test_sign_in_is_audited_only_for_changes(app, client, users):
    login(client, "agent1")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditLog)) == 0
        assert db.session.get(User, users["agent"]).last_login_at is not None


@pytest.mark.parametrize("path", ["/account", "/admin/users", "/panel", "/registro"])
def test_anonymous_is_sent_to_login(client, users, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_open_pages_learn_when_the_session_went_idle_without_renewing_it(app, client, users):
    login(client, "user1")
    headers = {"Accept": "application/json", "X-Live-Refresh": "1"}
    assert client.get("/session/alive", headers=headers).status_code == 204
    with client.session_transaction() as session:
        session["last_active"] = time.time() - app.config["SESSION_IDLE_MINUTES"] * 60 + 5
        nearly_idle = session["last_active"]
    assert client.get("/session/alive", headers=headers).status_code == 204
    with client.session_transaction() as session:
        assert session["last_active"] == nearly_idle  # asking is not activity
        session["last_active"] = time.time() - app.config["SESSION_IDLE_MINUTES"] * 60 - 5
    assert client.get("/session/alive", headers=headers).status_code == 401
