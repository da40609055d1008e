"""Every route × every role → the expected status. A new route must be added here."""
import pytest

from extensions import db
from models import Attachment, Counter, CounterService, QueueTicket, Screen, Service, User
from services.helpdesk import tickets
from services.helpdesk.attachments import upload_dir
from services.helpdesk.watchers import leave_token
from services.timeutil import local_today
from tests.conftest import ROLES, build_helpdesk
from tests.matrix import ADMIN_ACTION, ADMIN_ONLY, ANON, EVERYONE, SIGNED_IN
from tests.matrix_api_tickets import API_TICKETS_ROWS
from tests.matrix_canned import CANNED_ROWS, make_canned_replies
from tests.matrix_captcha import CAPTCHA_ROWS
from tests.matrix_chat import CHAT_ROWS
from tests.matrix_helpdesk import HELPDESK_ROWS
from tests.matrix_helpdesk_admin import HELPDESK_ADMIN_ROWS
from tests.matrix_helpdesk_exports import HELPDESK_EXPORTS_ROWS
from tests.matrix_helpdesk_files import HELPDESK_FILES_ROWS
from tests.matrix_notifications import NOTIFICATIONS_ROWS
from tests.matrix_queue import QUEUE_ROWS
from tests.matrix_reports import REPORTS_ROWS
from tests.matrix_setup import SETUP_ROWS
from tests.matrix_sla import SLA_ROWS, make_holiday
from tests.matrix_watchers import WATCHERS_ROWS

# (method, url rule, url to request, {role: expected status}); {user} is a user id, other
# placeholders are filled by `matrix_ids` below.
CORE_ROWS = [
    ("GET", "/login", "/login", dict.fromkeys(ROLES, 302) | {ANON: 200}),
    ("POST", "/login", "/login", dict.fromkeys(ROLES, 302) | {ANON: 200}),
    ("POST", "/logout", "/logout", dict.fromkeys(EVERYONE, 302)),
    ("GET", "/register", "/register", dict.fromkeys(ROLES, 302) | {ANON: 200}),
    ("POST", "/register", "/register", dict.fromkeys(ROLES, 302) | {ANON: 200}),
    ("GET", "/password", "/password", SIGNED_IN),
    ("POST", "/password", "/password", SIGNED_IN),  # an empty form comes back with its errors
    ("GET", "/account", "/account", SIGNED_IN),
    ("POST", "/account", "/account", SIGNED_IN),
    ("POST", "/session/keepalive", "/session/keepalive", dict.fromkeys(ROLES, 204) | {ANON: 302}),
    ("GET", "/session/alive", "/session/alive", dict.fromkeys(ROLES, 204) | {ANON: 302}),
    ("POST", "/language", "/language", dict.fromkeys(EVERYONE, 302)),
    ("GET", "/healthz", "/healthz", dict.fromkeys(EVERYONE, 200)),
    ("GET", "/setup", "/setup", dict.fromkeys(EVERYONE, 404)),
    ("POST", "/setup", "/setup", dict.fromkeys(EVERYONE, 404)),
    ("GET", "/admin/users", "/admin/users", ADMIN_ONLY),
    ("GET", "/admin/users/new", "/admin/users/new", ADMIN_ONLY),
    ("POST", "/admin/users/new", "/admin/users/new", ADMIN_ONLY),
    ("GET", "/admin/users/<int:user_id>/edit", "/admin/users/{user}/edit", ADMIN_ONLY),
    ("POST", "/admin/users/<int:user_id>/edit", "/admin/users/{user}/edit", ADMIN_ONLY),
    ("POST", "/admin/users/<int:user_id>/password", "/admin/users/{user}/password",
     {role: (400 if role == "admin" else 403) for role in ROLES} | {ANON: 302}),
    ("POST", "/admin/users/<int:user_id>/<any(activate, deactivate):action>", "/admin/users/{user}/activate",
     ADMIN_ACTION),
    ("POST", "/admin/users/<int:user_id>/delete", "/admin/users/{user}/delete", ADMIN_ACTION),
    ("GET", "/admin/settings", "/admin/settings", ADMIN_ONLY),
    ("POST", "/admin/settings", "/admin/settings", ADMIN_ONLY),
    ("GET", "/admin/audit", "/admin/audit", ADMIN_ONLY),
    ("POST", "/api/auth/login", "/api/auth/login", dict.fromkeys(EVERYONE, 400)),
    ("GET", "/api/auth/me", "/api/auth/me", dict.fromkeys(EVERYONE, 401)),  # needs a Bearer token
]
MATRIX = (CORE_ROWS + QUEUE_ROWS + REPORTS_ROWS + HELPDESK_ROWS + HELPDESK_FILES_ROWS + HELPDESK_EXPORTS_ROWS
          + HELPDESK_ADMIN_ROWS + API_TICKETS_ROWS + CHAT_ROWS + NOTIFICATIONS_ROWS + SETUP_ROWS + CANNED_ROWS
          + WATCHERS_ROWS + SLA_ROWS + CAPTCHA_ROWS)


@pytest.fixture
def matrix_ids(app, users):
    """Ids of rows the URLs point at: a user, a service, a counter, a queue ticket; helpdesk
    catalogue rows and `hd_ticket`, a helpdesk ticket user1 filed (assigned to agent1), with
    its tracking token `hd_token` and an attachment `attachment`."""

    with app.app_context():
        service = Service(name="General", prefix="A")
        counter = Counter(name="Módulo 1", service_links=[CounterService(service=service, position=0)])
        screen = Screen(name="Sala de espera", slug="sala-de-espera", services=[service])
        db.session.add_all([service, counter, screen])
        db.session.flush()
        ticket = QueueTicket(service_id=service.id, issued_service_id=service.id, issue_date=local_today(),
                             number=1, code="A-001")
        db.session.add(ticket)
        db.session.commit()
        helpdesk = build_helpdesk(users)
        hd_ticket = file_matrix_ticket(helpdesk)
        (upload_dir() / "matrix-file").write_text("nota")
        attachment = Attachment(ticket_id=hd_ticket.id, original_name="nota.txt", stored_name="matrix-file",
                                content_type="text/plain", size=4)
        db.session.add(attachment)
        db.session.commit()
        return {"user": users["user"], "service": service.id, "counter": counter.id, "ticket": ticket.id,
                "screen": screen.id, "screen_slug": screen.slug,
                "token": ticket.token, "hd_ticket": hd_ticket.id, "hd_token": hd_ticket.tracking_token,
                "attachment": attachment.id, "area": helpdesk["support"], "category": helpdesk["printer"],
                "priority": helpdesk["priorities"]["low"], "location": helpdesk["location"],
                "agent": users["agent"], **make_canned_replies(users), **make_holiday(),
                "copy_token": leave_token(hd_ticket, "copia@example.org")}


def file_matrix_ticket(helpdesk):
    requester = db.session.get(User, helpdesk["user"])
    return tickets.file_ticket(title="Impresora", description="No imprime", category_id=helpdesk["printer"],
                               requester=requester)


@pytest.mark.parametrize("role", EVERYONE, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("method, rule, url, expected", MATRIX, ids=[f"{m} {u}" for m, _, u, _ in MATRIX])
def test_route_answers_each_role_as_expected(client_as, matrix_ids, role, method, rule, url, expected):
    client = client_as(role)
    path = url.format(**matrix_ids)
    if method == "GET":
        response = client.get(path)
    elif method == "POST":
        response = client.post(path, data={})
    else:
        response = client.open(path, method=method, data={})
    assert response.status_code == expected[role]


def test_the_matrix_covers_every_route(app):
    covered = {(method, rule) for method, rule, _, _ in MATRIX}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, rule.rule) in covered, f"{method} {rule.rule} is missing from the role matrix"


def test_api_me_answers_every_role_with_its_own_token(client, users):
    for role in ROLES:
        token = client.post("/api/auth/login", json={"username": f"{role}1", "password": "password123"}).json
        response = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
        assert response.status_code == 200 and response.json["role"] == role
