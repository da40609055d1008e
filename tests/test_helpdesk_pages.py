"""The helpdesk in the browser: filing, the ticket page and its actions, public filing with the
CAPTCHA and the tracking link, lists with filters and search, the dashboard."""
import re

import pytest

from extensions import db
from models import Ticket, TicketComment, TicketStatus, User
from services.helpdesk import captcha
from services.helpdesk import queries as ticket_queries
from services.helpdesk import tickets
from tests.support.pdf import pdf_text


@pytest.fixture
def desk(helpdesk):
    return helpdesk


def file_as(client, desk, **values):
    data = {"title": "No hay red", "description": "El cable está conectado.", "category_id": desk["network"],
            "location_id": desk["location"]}
    data.update(values)
    return client.post("/tickets/new", data=data)


def ticket_by_title(title):
    return db.session.query(Ticket).filter_by(title=title).one()


# --- filing and the ticket page ---------------------------------------------------------------


def test_a_user_files_a_ticket_and_lands_on_its_page(client_as, desk, data):
    client = client_as("user")
    assert 'name="category_id"' in client.get("/tickets/new").get_data(as_text=True)
    response = file_as(client, desk)
    assert response.status_code == 302
    with data():
        ticket = ticket_by_title("No hay red")
    assert response.headers["Location"].endswith(f"/tickets/{ticket.id}")
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "TKT-000001" in page and "El cable está conectado." in page and "Edificio Central" in page
    assert ticket.assignee_id == desk["agent"]
    assert "TKT-000001" in client.get("/tickets").get_data(as_text=True)


def test_the_filing_form_shows_errors_and_keeps_what_was_typed(client_as, desk):
    response = file_as(client_as("user"), desk, title="", description="Lo que escribí")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "is-invalid" in page and "Lo que escribí" in page
    response = file_as(client_as("user"), desk, category_id="999")
    assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)


def test_the_filing_form_needs_csrf(client_as, desk, data):
    response = client_as("user").post("/tickets/new", csrf=False, data={
        "title": "x", "description": "y", "category_id": desk["printer"]})
    assert response.status_code == 400
    with data():
        assert db.session.query(Ticket).count() == 0


def test_script_in_a_ticket_never_reaches_the_page(client_as, desk, data):
    client = client_as("user")
    file_as(client, desk, title="<script>alert('t')</script>",
            description="**negrita** <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))")
    with data():
        ticket = db.session.query(Ticket).one()
    page = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "<strong>negrita</strong>" in page
    assert "<script>alert" not in page and "onerror" not in page and "javascript:alert" not in page
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in page  # the title is shown, escaped


def test_staff_reply_and_note_requester_sees_only_the_reply(client_as, desk, data):
    user = client_as("user")
    file_as(user, desk)
    with data():
        ticket = db.session.query(Ticket).one()
    agent = client_as("agent")
    assert agent.post(f"/tickets/{ticket.id}/reply", data={"body": "Reinicie el router"}).status_code == 302
    assert agent.post(f"/tickets/{ticket.id}/reply",
                      data={"body": "El router es viejo", "internal": "y"}).status_code == 302
    staff_page = agent.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Reinicie el router" in staff_page and "El router es viejo" in staff_page
    user_page = user.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Reinicie el router" in user_page and "El router es viejo" not in user_page
    assert 'name="internal"' not in user_page
    # a requester cannot smuggle a note in
    user.post(f"/tickets/{ticket.id}/reply", data={"body": "nota falsa", "internal": "y"})
    with data():
        assert db.session.query(TicketComment).filter_by(body="nota falsa").count() == 0


def test_an_empty_reply_gets_a_form_error(client_as, desk, data):
    user = client_as("user")
    file_as(user, desk)
    with data():
        ticket = db.session.query(Ticket).one()
    response = user.post(f"/tickets/{ticket.id}/reply", data={"body": "  "})
    assert response.status_code == 400 and "is-invalid" in response.get_data(as_text=True)


def test_status_buttons_follow_the_rules(client_as, desk, data):
    user = client_as("user")
    file_as(user, desk)
    with data():
        ticket = db.session.query(Ticket).one()
    agent = client_as("agent")
    page = agent.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-next-status="in_progress"' in page and 'data-next-status="on_hold"' not in page
    response = agent.post(f"/tickets/{ticket.id}/status", data={"status": "in_progress"})
    assert response.status_code == 302 and response.headers["Location"] == f"/tickets/{ticket.id}"
    response = agent.post(f"/tickets/{ticket.id}/status", data={"status": "open"}, follow_redirects=True)
    assert "no puede pasar a" in response.get_data(as_text=True)
    with data():
        assert db.session.get(Ticket, ticket.id).status == TicketStatus.IN_PROGRESS
    user_page = user.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'data-next-status="closed"' in user_page and 'data-next-status="on_hold"' not in user_page
    user.post(f"/tickets/{ticket.id}/status", data={"status": "on_hold"})
    with data():
        assert db.session.get(Ticket, ticket.id).status == TicketStatus.IN_PROGRESS


def test_admin_assigns_from_the_ticket_page_and_agents_take_unassigned_work(client_as, desk, data):
    user = client_as("user")
    file_as(user, desk, title="Factura duplicada", category_id=desk["invoice"])
    with data():
        ticket = ticket_by_title("Factura duplicada")
    admin = client_as("admin")
    page = admin.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert 'id="unassigned-flag"' in page and 'id="assign-form"' in page
    admin.post(f"/tickets/{ticket.id}/assign", data={"assignee_id": desk["agent"]})
    with data():
        assert db.session.get(Ticket, ticket.id).assignee_id == desk["agent"]
        db.session.get(User, desk["agent"]).available = False
        db.session.commit()
    file_as(user, desk, title="Sin red 2")
    with data():
        unassigned = ticket_by_title("Sin red 2")
    assert unassigned.assignee_id is None
    agent = client_as("agent")
    assert 'id="take-form"' in agent.get(f"/tickets/{unassigned.id}").get_data(as_text=True)
    agent.post(f"/tickets/{unassigned.id}/assign", data={"take": "1"})
    with data():
        assert db.session.get(Ticket, unassigned.id).assignee_id == desk["agent"]


def test_other_peoples_tickets_are_not_found(client_as, desk, data):
    file_as(client_as("user"), desk)
    with data():
        ticket = db.session.query(Ticket).one()
    for role in ("staff", "registrar"):
        client = client_as(role)
        assert client.get(f"/tickets/{ticket.id}").status_code == 404
        assert client.post(f"/tickets/{ticket.id}/reply", data={"body": "hola"}).status_code == 404
    assert client_as("user").get("/tickets/999999").status_code == 404


# --- filing without an account ------------------------------------------------------------------


@pytest.fixture
def known_captcha(monkeypatch):
    monkeypatch.setattr(captcha, "new_text", lambda: "K7P2Q")
    return "K7P2Q"


def public_form(desk, **values):
    data = {"name": "Ana Pérez", "email": "Ana@Example.org", "title": "No puedo entrar",
            "description": "Olvidé la clave", "category_id": desk["printer"], "captcha": "k7p2q"}
    data.update(values)
    return data


def test_anyone_files_with_the_captcha_and_follows_the_tracking_link(client, desk, known_captcha, data):
    page = client.get("/soporte").get_data(as_text=True)
    assert 'id="captcha-image"' in page and 'name="website"' in page
    image = client.get("/soporte/captcha.png")
    assert image.status_code == 200 and image.data[:8] == b"\x89PNG\r\n\x1a\n"
    response = client.post("/soporte", data=public_form(desk))
    assert response.status_code == 302
    with data():
        ticket = db.session.query(Ticket).one()
    assert ticket.requester_id is None and ticket.requester_email == "ana@example.org"
    assert response.headers["Location"].endswith(f"/soporte/t/{ticket.tracking_token}")
    tracking = client.get(f"/soporte/t/{ticket.tracking_token}")
    assert tracking.status_code == 200 and "No puedo entrar" in tracking.get_data(as_text=True)
    assert tracking.headers["Referrer-Policy"] == "no-referrer"


def test_the_captcha_answer_is_not_readable_from_the_cookie(client, desk, known_captcha):
    client.get("/soporte/captcha.png")
    with client.session_transaction() as session:
        assert "K7P2Q" not in str(session.get("captcha"))


def test_a_wrong_or_reused_captcha_is_refused(client, desk, known_captcha, data):
    client.get("/soporte/captcha.png")
    response = client.post("/soporte", data=public_form(desk, captcha="AAAAA"))
    assert response.status_code == 200 and "no coinciden" in response.get_data(as_text=True)
    response = client.post("/soporte", data=public_form(desk))  # that image is spent
    assert "no coinciden" in response.get_data(as_text=True)
    with data():
        assert db.session.query(Ticket).count() == 0
    client.get("/soporte/captcha.png")
    assert client.post("/soporte", data=public_form(desk)).status_code == 302


def test_the_honeypot_keeps_bots_out_quietly(client, desk, known_captcha, data):
    client.get("/soporte/captcha.png")
    response = client.post("/soporte", data=public_form(desk, website="http://spam.example"))
    assert response.status_code == 302
    with data():
        assert db.session.query(Ticket).count() == 0


def test_public_filing_is_rate_limited(app, desk, known_captcha):
    default, app.config["PUBLIC_TICKET_RATE_LIMIT"] = app.config["PUBLIC_TICKET_RATE_LIMIT"], "2 per minute"
    client = app.test_client()
    try:
        codes = [client.post("/soporte", data=public_form(desk, captcha="")).status_code for _ in range(3)]
    finally:
        app.config["PUBLIC_TICKET_RATE_LIMIT"] = default
    assert codes == [200, 200, 429]


def test_the_requester_replies_and_closes_through_the_link_and_never_sees_notes(client, client_as, desk,
                                                                              known_captcha, data):
    client.get("/soporte/captcha.png")
    client.post("/soporte", data=public_form(desk))
    with data():
        ticket = db.session.query(Ticket).one()
        agent = db.session.get(User, desk["agent"])
        tickets.add_comment(ticket, "Nota interna secreta", agent, internal=True)
        tickets.add_comment(ticket, "¿Probó restablecerla?", agent)
    link = f"/soporte/t/{ticket.tracking_token}"
    page = client.get(link).get_data(as_text=True)
    assert "¿Probó restablecerla?" in page and "Nota interna secreta" not in page
    assert client.post(f"{link}/reply", data={"body": "Sí, gracias"}).status_code == 302
    with data():
        comment = db.session.query(TicketComment).filter_by(body="Sí, gracias").one()
    assert comment.author_id is None and comment.author_name == "Ana Pérez" and not comment.from_staff
    assert client.post(f"{link}/status", data={"status": "in_progress"}).status_code == 403
    response = client.post(f"{link}/status", data={"status": "closed"})
    assert response.status_code == 302 and response.headers["Location"] == link
    with data():
        assert db.session.get(Ticket, ticket.id).status == TicketStatus.CLOSED


def test_a_wrong_token_is_not_found(client, desk):
    assert client.get("/soporte/t/not-a-token").status_code == 404
    assert client.post("/soporte/t/not-a-token/reply", data={"body": "x"}).status_code == 404


# --- lists and dashboard ------------------------------------------------------------------------


def seed_tickets(desk, data):
    with data():
        return _seed_tickets(desk)


def _seed_tickets(desk):
    user = db.session.get(User, desk["user"])
    made = []
    for title, category in [("Impresora atascada", "printer"), ("Red lenta", "network"),
                            ("Factura con error", "invoice"), ("Cambio de tóner", "printer")]:
        made.append(tickets.file_ticket(title=title, description=f"Detalle de {title}", category_id=desk[category],
                                        requester=user))
    return made


def numbers_on(page):
    return re.findall(r"TKT-\d{6}", page)


def test_lists_filter_search_and_sort(client_as, desk, data):
    seed_tickets(desk, data)
    admin = client_as("admin")
    page = admin.get("/tickets/admin").get_data(as_text=True)
    assert len(set(numbers_on(page))) == 4 and "ticket-unassigned" in page  # the billing one
    assert set(numbers_on(admin.get(f"/tickets/admin?category_id={desk['printer']}").get_data(as_text=True))) == {
        "TKT-000001", "TKT-000004"}
    assert set(numbers_on(admin.get("/tickets/admin?q=tóner").get_data(as_text=True))) == {"TKT-000004"}
    assert set(numbers_on(admin.get("/tickets/admin?q=4").get_data(as_text=True))) == {"TKT-000004"}
    assert set(numbers_on(admin.get("/tickets/admin?assignee_id=none").get_data(as_text=True))) == {"TKT-000003"}
    ordered = numbers_on(admin.get("/tickets/admin?sort=number&direction=asc").get_data(as_text=True))
    assert ordered[:4] == ["TKT-000001", "TKT-000002", "TKT-000003", "TKT-000004"]
    paged = admin.get("/tickets/admin?per_page=10&page=2").get_data(as_text=True)
    assert "TKT-" not in paged.split('id="ticket-table"')[1].split("</table>")[0]


def test_a_bad_filter_gets_a_message_not_a_crash(client_as, desk):
    for query in ("status=resolved", "date_from=2026-13-01", "sort=password", "priority_id=abc"):
        response = client_as("admin").get(f"/tickets/admin?{query}")
        assert response.status_code == 400 and 'id="filter-error"' in response.get_data(as_text=True)


def test_each_list_shows_only_its_scope(client_as, desk, data):
    seed_tickets(desk, data)
    assert len(set(numbers_on(client_as("user").get("/tickets").get_data(as_text=True)))) == 4
    agent_page = client_as("agent").get("/tickets/ingeniero").get_data(as_text=True)
    assert set(numbers_on(agent_page)) == {"TKT-000001", "TKT-000002", "TKT-000004"}
    assert 'id="agent-stats"' in agent_page
    assert numbers_on(client_as("staff").get("/tickets").get_data(as_text=True)) == []


def test_the_dashboard_counts_what_matters(client_as, desk, data):
    with data():
        made = _seed_tickets(desk)
        tickets.change_status(made[0], "in_progress", db.session.get(User, desk["agent"]))
        tickets.change_status(made[0], "closed", db.session.get(User, desk["agent"]))
    page = client_as("admin").get("/tickets/dashboard").get_data(as_text=True)
    counters = dict(re.findall(r'data-stat="(\w+)">(\d+)<', page))
    assert counters == {"open": "3", "unassigned": "1", "urgent": "1", "due_soon": "0", "overdue": "0", "total": "4"}
    assert 'id="helpdesk-charts"' in page
    assert "Agent Uno" in page.split('id="workload"')[1].split("</table>")[0]


def test_a_solved_captcha_cannot_be_replayed_with_the_old_cookie(client, desk, known_captcha, data):
    client.get("/soporte/captcha.png")
    with client.session_transaction() as session:
        saved = dict(session)
    assert client.post("/soporte", data=public_form(desk)).status_code == 302
    with client.session_transaction() as session:
        session.update(saved)  # a bot sends the cookie it had when the answer was right
    response = client.post("/soporte", data=public_form(desk, title="Otra vez"))
    assert response.status_code == 200 and "no coinciden" in response.get_data(as_text=True)
    with data():
        assert db.session.query(Ticket).count() == 1


def test_huge_ids_and_far_dates_get_messages_not_errors(client_as, desk, data):
    huge = "99999999999999999999"
    user = client_as("user")
    for field in ("category_id", "location_id"):
        response = file_as(user, desk, **{field: huge})
        assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    file_as(user, desk)
    with data():
        ticket = db.session.query(Ticket).one()
    admin = client_as("admin")
    assert admin.post(f"/tickets/{ticket.id}/priority", data={"priority_id": huge}).status_code == 302
    assert admin.post(f"/tickets/{ticket.id}/assign", data={"assignee_id": huge}).status_code == 302
    for query in ("date_to=9999-12-31", "date_from=0001-01-01"):
        assert admin.get(f"/tickets/admin?{query}").status_code == 400
    assert admin.get("/tickets/export.csv?date_to=9999-12-31").status_code == 400


def test_the_list_pdf_names_only_agents_in_its_filters(client_as, desk):
    response = client_as("user").get(f"/tickets/export.pdf?assignee_id={desk['admin']}")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Admin Uno" not in text and f"#{desk['admin']}" in text


def test_a_search_counts_up_to_a_limit_and_says_more(client_as, desk, data, monkeypatch):
    monkeypatch.setattr(ticket_queries, "SEARCH_COUNT_LIMIT", 2)
    seed_tickets(desk, data)
    admin = client_as("admin")
    page = admin.get("/tickets/admin?q=de&per_page=1").get_data(as_text=True)  # "Detalle de ..." in all four
    assert "2" in page.split('id="ticket-total"')[1].split("</p>")[0]
    assert "page=2" in page  # more pages are reachable
    far = admin.get("/tickets/admin?q=de&per_page=1&page=4").get_data(as_text=True)
    assert len(set(numbers_on(far.split('id="ticket-table"')[1].split("</table>")[0]))) == 1
    assert len(set(numbers_on(admin.get("/tickets/admin").get_data(as_text=True)))) == 4  # no search: exact count
