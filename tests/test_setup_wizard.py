"""First run: with no admin, every page leads to the wizard; once done the wizard is gone."""
from extensions import db
from models import Role, Setting, User
from services.settings import default_locale, mail_port, mail_server, mail_use_ssl, organisation_name, timezone_name

WIZARD = {
    "organisation_name": "Hospital San José", "timezone": "America/Bogota", "default_locale": "en",
    "admin_username": "jefa", "admin_email": "jefa@hospital.example", "admin_full_name": "Jefa de Sistemas",
    "new_password": "clave-segura-1", "confirm_password": "clave-segura-1",
    "mail_server": "mail.hospital.example", "mail_port": "465", "mail_use_ssl": "y",
    "mail_default_sender": "soporte@hospital.example",
}


def test_every_page_leads_to_the_wizard_until_an_admin_exists(client):
    for path in ("/", "/login", "/admin/users", "/register"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/setup", path
    assert client.get("/healthz").status_code == 200
    assert client.post("/api/auth/login", json={"username": "x", "password": "y"}).status_code == 503
    assert client.get("/setup").status_code == 200


def test_wizard_creates_the_admin_and_stores_the_settings(app, client):
    response = client.post("/setup", data=WIZARD)
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200  # signed in as the new admin
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "jefa"))
        assert admin.role == Role.ADMIN and not admin.must_change_password
        assert db.session.get(Setting, "setup_completed").value is True
    with app.test_request_context():
        assert organisation_name() == "Hospital San José"
        assert timezone_name() == "America/Bogota"
        assert default_locale() == "en"
        assert mail_server() == "mail.hospital.example"
        assert mail_port() == 465 and mail_use_ssl() is True
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Hospital San José" in page


def test_wizard_is_gone_afterwards(client, users):
    assert client.get("/setup").status_code == 404
    assert client.post("/setup", data=WIZARD).status_code == 404


def test_wizard_reports_bad_input_and_saves_nothing(app, client):
    bad = dict(WIZARD, timezone="Nowhere/Atlantis", confirm_password="different", admin_email="nope")
    response = client.post("/setup", data=bad)
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("invalid-feedback") >= 3
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0
        assert db.session.get(Setting, "setup_completed") is None
    assert client.post("/setup", data=WIZARD).status_code == 302  # and it can be retried


def test_organisation_default_language_applies_when_the_browser_says_nothing(app, client):
    client.post("/setup", data=WIZARD)
    client.post("/logout")
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en"' in page
