"""Mail settings: the encryption follows the port (587 STARTTLS, 465 SSL/TLS) in the wizard and in
Settings, and Settings sends a test mail right away through a real SMTP server, reporting success
or the server's own error, within the mail timeout."""
import socket

import pytest
from aiosmtpd.controller import Controller

from extensions import db
from models import OutboxMessage
from services.settings import all_settings, mail_default_sender, mail_use_ssl, mail_use_tls, save_settings
from tests.conftest import free_port
from tests.support.page_tree import Page

ENGLISH = {"Accept-Language": "en"}
SETTINGS = {"organisation_name": "Hospital Regional de San José de las Montañas", "timezone": "America/Lima",
            "default_locale": "es", "display_recent_count": "6", "attachment_max_mb": "5",
            "attachment_max_files": "5", "attachment_retention_days": "7", "auto_close_hours": "72"}


def settings_form(server, port, **values):
    return {**SETTINGS, "mail_server": "127.0.0.1", "mail_port": str(server.port if server else port),
            "mail_security": "none", "mail_default_sender": "mesa.ayuda@hospital.example", **values}


def send_test_mail_from(client, data, headers=ENGLISH):
    response = client.post("/admin/settings/test-mail", data=data, headers=headers)
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    outcome = page.by_id("test-mail-outcome")
    return page, outcome.text if outcome else None, outcome.get("class") if outcome else ""


# --- the encryption follows the port -------------------------------------------------------------


def test_the_wizard_starts_with_starttls_on_port_587(client):
    """Before: STARTTLS was left off while the port said 587."""
    page = Page(client.get("/setup").get_data(as_text=True))
    assert page.find("input", id="mail_port").get("value") == "587"
    assert page.find("input", name="mail_security", value="starttls").has("checked")
    assert "587 uses STARTTLS and 465 SSL/TLS" in client.get("/setup", headers=ENGLISH).get_data(as_text=True)


@pytest.mark.parametrize("port, sent, tls, ssl", [
    ("465", None, False, True), ("587", None, True, False), ("587", "none", False, False), ("2525", "ssl", False, True),
])
def test_the_wizard_stores_the_encryption_the_port_calls_for(app, client, port, sent, tls, ssl):
    data = {"organisation_name": "Clínica", "timezone": "America/Lima", "default_locale": "es",
            "admin_username": "jefa", "admin_email": "jefa@example.org", "admin_full_name": "Jefa",
            "new_password": "clave-segura-1", "confirm_password": "clave-segura-1", "mail_port": port,
            "starter_catalogue": "no", **({"mail_security": sent} if sent else {})}
    assert client.post("/setup", data=data).status_code == 302
    with app.test_request_context():
        assert (mail_use_tls(), mail_use_ssl()) == (tls, ssl)


@pytest.mark.parametrize("port, security, message", [
    ("465", "starttls", "Port 465 speaks SSL/TLS from the start"),
    ("587", "ssl", "Port 587 starts without encryption"),
])
def test_an_encryption_the_port_does_not_speak_is_refused(admin_client, port, security, message):
    response = admin_client.post("/admin/settings", headers=ENGLISH, data={
        **SETTINGS, "mail_server": "smtp.example.org", "mail_port": port, "mail_security": security})
    assert response.status_code == 200
    fieldset = Page(response.get_data(as_text=True)).by_id("mail-security")
    assert message in fieldset.find(class_="invalid-feedback").text


def test_settings_show_the_stored_encryption(app, admin_client):
    with app.app_context():
        save_settings({"mail_port": 465, "mail_use_ssl": True, "mail_use_tls": False}, None)
    page = Page(admin_client.get("/admin/settings").get_data(as_text=True))
    assert page.find("input", name="mail_security", value="ssl").has("checked")
    assert not page.find("input", name="mail_security", value="starttls").has("checked")


# --- the test mail -------------------------------------------------------------------------------


def test_settings_have_a_test_mail_button_addressed_to_the_admin(admin_client):
    """Before: Settings had no way to try the mail settings."""
    page = Page(admin_client.get("/admin/settings").get_data(as_text=True))
    assert page.find("input", name="test_mail_to").get("value") == "admin1@example.org"
    button = page.by_id("send-test-mail")
    assert button.get("formaction").startswith("/admin/settings/test-mail")
    # Enter in a field saves: the first submit button of the form is Save.
    assert page.by_id("settings-form").find("button", type="submit").get("id") == "save-settings"


def test_a_test_mail_arrives_through_the_real_server_and_nothing_is_saved(app, admin_client, smtp):
    with app.app_context():
        save_settings({"organisation_name": SETTINGS["organisation_name"]}, None)
    page, outcome, classes = send_test_mail_from(admin_client, settings_form(smtp, None, test_mail_to=""))
    assert "alert-success" in classes
    assert f"sent to admin1@example.org through 127.0.0.1:{smtp.port}" in outcome
    (recipients, message), = smtp.inbox.messages
    assert recipients == ["admin1@example.org"]
    assert message["Subject"] == "Test mail from Hospital Regional de San José de las Montañas"
    assert message["From"] == "Hospital Regional de San José de las Montañas <mesa.ayuda@hospital.example>"
    assert "check the outgoing mail settings" in message.get_body(("plain",)).get_content()
    assert page.find("input", name="mail_default_sender").get("value") == "mesa.ayuda@hospital.example"
    with app.app_context():
        assert mail_default_sender() == "soporte@example.org"  # as the fixture stored it: the test saves nothing
        assert db.session.scalar(db.select(db.func.count()).select_from(OutboxMessage)) == 0  # sent, not queued


def test_a_test_mail_goes_to_the_address_typed_in_the_admins_language(admin_client, smtp):
    form = settings_form(smtp, None, test_mail_to="Jefa@Hospital.Example")
    send_test_mail_from(admin_client, form, headers={"Accept-Language": "es"})
    (recipients, message), = smtp.inbox.messages
    assert recipients == ["Jefa@Hospital.Example"]
    assert '<html lang="es">' in message.get_body(("html",)).get_content()


def test_a_refused_address_reports_the_servers_own_reply(admin_client):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 5.1.1 <nadie@hospital.example>: Recipient address rejected: User unknown"

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        form = settings_form(None, port, test_mail_to="nadie@hospital.example")
        _page, outcome, classes = send_test_mail_from(admin_client, form)
    finally:
        controller.stop()
    assert "alert-danger" in classes
    assert "refused the address nadie@hospital.example" in outcome and "550 5.1.1" in outcome
    assert "User unknown" in outcome


def test_an_address_with_accents_before_the_at_is_reported_not_a_500(admin_client, smtp):
    """Found trying it: "María.Núñez@…" passed the form and smtplib's ASCII-only address broke the page."""
    form = settings_form(smtp, None, test_mail_to="María.Núñez@educacion.example")
    _page, outcome, classes = send_test_mail_from(admin_client, form)
    assert "alert-danger" in classes and "María.Núñez@educacion.example has accented letters" in outcome
    assert smtp.inbox.messages == []


def test_a_server_that_is_not_there_is_reported_not_a_500(admin_client):
    port = free_port()  # nothing listens there
    _page, outcome, classes = send_test_mail_from(admin_client, settings_form(None, port))
    assert "alert-danger" in classes and f"Nothing answers at 127.0.0.1:{port}" in outcome


def test_a_server_that_never_answers_is_given_up_after_the_mail_timeout(app, admin_client, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 1)
    with socket.socket() as silent:  # accepts the connection (the backlog does) and never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        _page, outcome, classes = send_test_mail_from(admin_client, settings_form(None, port))
    assert "alert-danger" in classes and f"127.0.0.1:{port} did not answer within 1 second." in outcome


def test_starttls_against_a_server_without_it_is_explained(admin_client, smtp):
    _page, outcome, classes = send_test_mail_from(admin_client, settings_form(smtp, None, mail_security="starttls"))
    assert "alert-danger" in classes and "does not offer STARTTLS" in outcome
    assert smtp.inbox.messages == []


def test_a_test_needs_a_server_and_a_sender(app, admin_client):
    with app.app_context():
        save_settings({"mail_server": None, "mail_default_sender": None}, None)
    form = {**SETTINGS, "mail_port": "587", "mail_security": "starttls"}
    page, outcome, classes = send_test_mail_from(admin_client, form)
    assert "alert-danger" in classes and "Nothing was sent" in outcome
    assert "Write the SMTP server to test." in page.by_id("mail_server").parent.text
    assert "Write the sender address" in page.by_id("mail_default_sender").parent.text
    with app.test_request_context():
        assert all_settings()["mail_port"] == 587  # untouched


def test_the_test_mail_needs_csrf_and_an_admin(client_as, admin_client):
    assert admin_client.post("/admin/settings/test-mail", data=SETTINGS, csrf=False).status_code == 400
    assert client_as("agent").post("/admin/settings/test-mail", data=SETTINGS).status_code == 403
