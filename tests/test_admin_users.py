"""The admin's account pages, and the rule that one active admin always remains."""
from extensions import db
from models import AuditLog, Role, User
from services.settings import all_settings, mail_password
from tests.conftest import PASSWORD, login


def user_by_name(app, username):
    with app.app_context():
        return db.session.scalar(db.select(User).where(User.username == username))


def audit_actions(app):
    with app.app_context():
        return [entry.action for entry in db.session.scalars(db.select(AuditLog).order_by(AuditLog.id))]


def edit_form(user, **changes):
    data = {"username": user.username, "email": user.email or "", "full_name": user.full_name,
            "role": user.role.value, "active": "y" if user.active else ""}
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_list_search_and_filter(admin_client, users):
    page = admin_client.get("/admin/users").get_data(as_text=True)
    for role in ("admin1", "staff1", "registrar1", "agent1", "user1"):
        assert role in page
    page = admin_client.get("/admin/users?q=REGISTRAR").get_data(as_text=True)
    assert "registrar1" in page and "agent1" not in page
    page = admin_client.get("/admin/users?role=agent").get_data(as_text=True)
    assert "agent1" in page and "staff1" not in page


def test_create_account_must_change_password(app, admin_client):
    response = admin_client.post("/admin/users/new", data={
        "username": "Carla", "email": "carla@example.org", "full_name": "Carla Ruiz",
        "role": "staff", "active": "y", "new_password": "temporal-1",
    })
    assert response.status_code == 302
    carla = user_by_name(app, "carla")
    assert carla.role == Role.STAFF and carla.must_change_password and carla.active
    assert "user.created" in audit_actions(app)


def test_create_account_bad_input_keeps_the_form(admin_client, users):
    response = admin_client.post("/admin/users/new", data={
        "username": "x", "email": "not-an-email", "role": "staff", "new_password": "short",
    })
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("invalid-feedback") >= 3
    response = admin_client.post("/admin/users/new", data={
        "username": "agent1", "role": "agent", "new_password": "temporal-1",
    })
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)


def test_unknown_role_is_a_form_error_not_a_crash(admin_client, users):
    response = admin_client.post("/admin/users/new", data={
        "username": "zeta", "role": "superuser", "new_password": "temporal-1",
    })
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)


def test_edit_changes_role_and_is_audited(app, admin_client, users):
    agent = user_by_name(app, "agent1")
    response = admin_client.post(f"/admin/users/{agent.id}/edit", data=edit_form(agent, role="staff",
                                                                                 full_name="Nuevo Nombre"))
    assert response.status_code == 302
    changed = user_by_name(app, "agent1")
    assert changed.role == Role.STAFF and changed.full_name == "Nuevo Nombre"
    with app.app_context():
        entry = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "user.updated"))
        assert entry.before["role"] == "agent" and entry.after["role"] == "staff"
        assert entry.actor_id == users["admin"]


def test_unknown_user_is_404(admin_client, users):
    assert admin_client.get("/admin/users/9999/edit").status_code == 404
    assert admin_client.post("/admin/users/9999/delete").status_code == 404


def test_deactivate_ends_the_sessions_of_that_user(app, admin_client, client_as, users):
    agent_client = client_as("agent")
    assert agent_client.get("/account").status_code == 200
    assert admin_client.post(f"/admin/users/{users['agent']}/deactivate").status_code == 302
    assert agent_client.get("/account").status_code == 302
    assert login(app.test_client(), "agent1").status_code == 200  # refused
    admin_client.post(f"/admin/users/{users['agent']}/activate")
    assert login(app.test_client(), "agent1").status_code == 302


def test_reset_password_forces_a_change_and_ends_sessions(app, admin_client, client_as, users):
    user_client = client_as("user")
    response = admin_client.post(f"/admin/users/{users['user']}/password",
                                 data={"new_password": "reinicio-1", "confirm_password": "reinicio-1"})
    assert response.status_code == 302
    assert user_client.get("/account").status_code == 302
    fresh = app.test_client()
    assert login(fresh, "user1", PASSWORD).status_code == 200
    assert login(fresh, "user1", "reinicio-1").headers["Location"] == "/password"


def test_reset_password_mismatch_is_a_form_error(admin_client, users):
    response = admin_client.post(f"/admin/users/{users['user']}/password",
                                 data={"new_password": "reinicio-1", "confirm_password": "otra-cosa"})
    assert response.status_code == 400 and "is-invalid" in response.get_data(as_text=True)


def test_delete_account(app, admin_client, users):
    assert admin_client.post(f"/admin/users/{users['user']}/delete").status_code == 302
    assert user_by_name(app, "user1") is None
    assert "user.deleted" in audit_actions(app)


def test_admin_cannot_delete_themselves(app, admin_client, users):
    admin_client.post(f"/admin/users/{users['admin']}/delete")
    assert user_by_name(app, "admin1") is not None


def test_last_admin_cannot_be_demoted_deactivated_or_deleted(app, admin_client, users):
    admin = user_by_name(app, "admin1")
    response = admin_client.post(f"/admin/users/{admin.id}/edit", data=edit_form(admin, role="agent"))
    assert response.status_code == 200
    assert "is-invalid" in response.get_data(as_text=True) or "alert-danger" in response.get_data(as_text=True)
    admin_client.post(f"/admin/users/{admin.id}/edit", data=edit_form(admin, active=""))
    admin_client.post(f"/admin/users/{admin.id}/deactivate")
    still = user_by_name(app, "admin1")
    assert still.role == Role.ADMIN and still.active


def test_an_admin_can_step_down_when_another_remains(app, admin_client, users):
    with app.app_context():
        db.session.get(User, users["staff"]).role = Role.ADMIN
        db.session.commit()
    admin = user_by_name(app, "admin1")
    response = admin_client.post(f"/admin/users/{admin.id}/edit", data=edit_form(admin, role="agent"))
    assert response.status_code == 302
    assert user_by_name(app, "admin1").role == Role.AGENT
    # staff1 is now the only admin: it cannot step down in turn
    other_admin = app.test_client()
    login(other_admin, "staff1")
    other_admin.post(f"/admin/users/{users['staff']}/deactivate")
    assert user_by_name(app, "staff1").active and user_by_name(app, "staff1").role == Role.ADMIN


def test_inactive_admins_do_not_count(app, admin_client, users):
    with app.app_context():
        extra = User(username="oldadmin", role=Role.ADMIN, active=False)
        extra.set_password(PASSWORD)
        db.session.add(extra)
        db.session.commit()
    admin_client.post(f"/admin/users/{users['admin']}/deactivate")
    assert user_by_name(app, "admin1").active


HELPDESK_FIELDS = {"attachment_max_mb": "5", "attachment_max_files": "5", "attachment_retention_days": "7",
                   "auto_close_hours": "72"}


def test_helpdesk_limits_are_settings(app, admin_client, users):
    base = {"organisation_name": "Clínica", "timezone": "America/Lima", "default_locale": "es", "mail_port": "587",
            "display_recent_count": "6"}
    response = admin_client.post("/admin/settings", data={
        **base, "attachment_max_mb": "2", "attachment_max_files": "3", "attachment_retention_days": "30",
        "auto_close_hours": "48"})
    assert response.status_code == 302
    with app.test_request_context():
        assert [all_settings()[key] for key in HELPDESK_FIELDS] == [2, 3, 30, 48]
    response = admin_client.post("/admin/settings", data={**base, **HELPDESK_FIELDS, "attachment_max_mb": "500"})
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)


def test_saving_the_settings_unchanged_writes_no_audit_entry(app, admin_client, users):
    """The page submits what it shows; an empty public address is the unset one, not a change."""
    admin_client.post("/admin/settings", data={
        "organisation_name": "Service Desk", "timezone": "America/Mexico_City", "default_locale": "es",
        "mail_port": "587", "mail_use_tls": "y", "display_chime": "y", "display_flash": "y", "display_speech": "y",
        "display_recent_count": "6", "allow_registration": "y", "public_url": "", **HELPDESK_FIELDS})
    with app.app_context():
        assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "settings.updated")) is None


def test_settings_are_saved_and_audited_without_the_smtp_password(app, admin_client, users):
    response = admin_client.post("/admin/settings", data={
        "organisation_name": "Municipalidad de Ñuñoa", "timezone": "America/Santiago", "default_locale": "es",
        "allow_registration": "y", "mail_server": "smtp.example.org", "mail_port": "2525",
        "mail_username": "desk", "mail_password": "s3cret", "mail_use_tls": "y",
        "mail_default_sender": "desk@example.org", "display_recent_count": "6", **HELPDESK_FIELDS,
    })
    assert response.status_code == 302
    page = admin_client.get("/admin/settings").get_data(as_text=True)
    assert "Municipalidad de Ñuñoa" in page and "s3cret" not in page
    with app.app_context():
        entry = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "settings.updated"))
        assert entry.after["mail_password"] == "***" and entry.after["mail_port"] == 2525
    # an empty password field keeps the stored one
    admin_client.post("/admin/settings", data={
        "organisation_name": "Municipalidad de Ñuñoa", "timezone": "America/Santiago", "default_locale": "es",
        "mail_server": "smtp.example.org", "mail_port": "2525", "mail_use_tls": "y", "display_recent_count": "6",
        **HELPDESK_FIELDS,
    })
    with app.test_request_context():
        assert mail_password() == "s3cret"


def test_settings_reject_bad_values(admin_client, users):
    response = admin_client.post("/admin/settings", data={
        "organisation_name": "", "timezone": "Mars/Olympus", "default_locale": "fr", "mail_port": "99999",
        "mail_use_tls": "y", "mail_use_ssl": "y",
    })
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("invalid-feedback") >= 4


def test_audit_page_lists_changes(admin_client, users):
    admin_client.post(f"/admin/users/{users['agent']}/deactivate")
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "user.deactivated" in page and "admin1" in page


def test_call_screen_switches_are_settings(app, admin_client, client, users):
    response = admin_client.post("/admin/settings", data={
        "organisation_name": "Clínica", "timezone": "America/Lima", "default_locale": "es", "mail_port": "587",
        "display_chime": "y", "display_recent_count": "3", **HELPDESK_FIELDS,  # no flash, no speech
    })
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert 'data-chime="true"' in page and 'data-flash="false"' in page and 'data-speech="false"' in page
    assert 'data-recent="3"' in page
    response = admin_client.post("/admin/settings", data={
        "organisation_name": "Clínica", "timezone": "America/Lima", "default_locale": "es", "mail_port": "587",
        "display_recent_count": "99"})
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
