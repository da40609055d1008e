"""The notification bell: who is told of what (never the person who acted), stored rows that
outlive the request, the unread count, marking read, the JSON catch-up, and the live push that
follows the commit and never a rollback."""
import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from extensions import db, socketio
from models import Notification, NotificationKind, Ticket, User
from services.helpdesk import tickets
from services.messaging import inbox
from services.timeutil import utcnow


@pytest.fixture(autouse=True)
def english_speakers(app, users):
    """Everyone reads English here, so the texts below can be compared word for word (the
    language test sets its own)."""
    with app.app_context():
        db.session.execute(db.update(User).values(locale="en"))
        db.session.commit()


def text_in_english(notification):
    with force_locale("en"):
        return inbox.text(notification)


def user(role_or_id, desk=None):
    return db.session.get(User, desk[role_or_id] if desk else role_or_id)


def file_for(desk, requester="user", category="network", title="No hay red"):
    """A ticket `requester` files; in Soporte it is assigned to agent1 at once. Returns its id."""
    ticket = tickets.file_ticket(title=title, description="Desde ayer.", category_id=desk[category],
                                 requester=user(requester, desk))
    return ticket.id


def rows(user_id=None):
    query = db.session.query(Notification).order_by(Notification.id)
    if user_id is not None:
        query = query.filter_by(user_id=user_id)
    return query.all()


def connect(app, http_client):
    socket = socketio.test_client(app, flask_test_client=http_client)
    assert socket.is_connected()
    socket.get_received()
    return socket


def events(socket, name):
    return [event["args"][0] for event in socket.get_received() if event["name"] == name]


def json_headers(client):
    return {"X-CSRFToken": client.csrf_token(), "Accept": "application/json"}


# --- who is told ---------------------------------------------------------------------------------


def test_an_automatic_assignment_tells_the_agent_and_nobody_else(helpdesk, data):
    with data():
        file_for(helpdesk)
        (only,) = rows()
        assert (only.user_id, only.kind, only.actor_name) == (helpdesk["agent"], NotificationKind.ASSIGNED, None)
        assert text_in_english(only) == "TKT-000001 was assigned to you: No hay red"


def test_an_admin_assigning_tells_the_agent_with_the_admins_name(helpdesk, data):
    with data():
        ticket_id = file_for(helpdesk, category="invoice")  # Facturación: nobody there, so unassigned
        assert rows() == []
        tickets.assign(db.session.get(Ticket, ticket_id), helpdesk["agent"], user("admin", helpdesk))
        (only,) = rows()
        assert only.user_id == helpdesk["agent"] and only.actor_name == "Admin Uno"
        assert "Admin Uno" in text_in_english(only)


def test_an_agent_taking_a_ticket_is_not_told_of_it(helpdesk, data):
    with data():
        ticket_id = file_for(helpdesk, category="invoice")
        ticket = db.session.get(Ticket, ticket_id)
        ticket.area_id = helpdesk["support"]
        db.session.commit()
        tickets.assign(ticket, helpdesk["agent"], user("agent", helpdesk))
        assert rows() == []


def test_a_staff_reply_tells_the_requester_but_a_note_or_their_own_reply_does_not(helpdesk, data):
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk))
        db.session.query(Notification).delete()
        db.session.commit()
        tickets.add_comment(ticket, "Reinicie el router.", user("agent", helpdesk))
        tickets.add_comment(ticket, "Cliente difícil.", user("agent", helpdesk), internal=True)
        tickets.add_comment(ticket, "Ya lo hice.", user("user", helpdesk))  # tells the agent, not the requester
        (only,) = rows(helpdesk["user"])
        assert (only.user_id, only.kind, only.actor_name) == (helpdesk["user"], NotificationKind.REPLY, "Agent Uno")
        assert text_in_english(only) == "Agent Uno replied on TKT-000001: No hay red"


def test_status_changes_by_staff_tell_the_requester_but_not_their_own_clicks(helpdesk, data):
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk))
        agent, requester = user("agent", helpdesk), user("user", helpdesk)
        tickets.change_status(ticket, "in_progress", agent)
        tickets.change_status(ticket, "closed", agent)
        tickets.change_status(ticket, "open", requester)
        tickets.change_status(ticket, "closed", requester)
        told = rows(helpdesk["user"])
        assert [n.data["status"] for n in told] == ["in_progress", "closed"]
        assert all(n.kind == NotificationKind.STATUS and n.actor_name == "Agent Uno" for n in told)
        assert text_in_english(told[1]) == "Agent Uno closed TKT-000001: No hay red"
        # the agent hears of the requester's clicks only: reopening and closing
        assert [n.kind for n in rows(helpdesk["agent"])] == [NotificationKind.ASSIGNED, NotificationKind.REOPENED,
                                                             NotificationKind.STATUS]


def test_staff_working_their_own_ticket_are_not_told_of_it(helpdesk, data):
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk, requester="admin"))
        admin = user("admin", helpdesk)
        tickets.add_comment(ticket, "Nota para mí.", admin)
        tickets.change_status(ticket, "in_progress", admin)
        tickets.change_status(ticket, "closed", admin)
        assert rows(helpdesk["admin"]) == []


def test_someone_without_an_account_gets_mail_only(helpdesk, data):
    with data():
        ticket = tickets.file_ticket(title="Sin cuenta", description="x", category_id=helpdesk["invoice"],
                                     requester_name="Ana", requester_email="ana@example.org")
        tickets.add_comment(ticket, "Hola Ana.", user("admin", helpdesk))
        tickets.change_status(ticket, "closed", user("admin", helpdesk))
        assert rows() == []


def test_closing_a_stale_ticket_tells_the_requester(helpdesk, data):
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk))
        tickets.add_comment(ticket, "¿Sigue pasando?", user("agent", helpdesk))
        assert tickets.close_stale_tickets(now=utcnow() + timedelta(days=30)) == 1
        last = rows(helpdesk["user"])[-1]
        assert last.data == {"number": "TKT-000001", "title": "No hay red", "status": "closed",
                             "automatically": True}
        assert text_in_english(last) == "TKT-000001 was closed automatically: No hay red"
        assert inbox.link(last) == f"/tickets/{ticket.id}"  # built outside a request, as a job does


# --- stored, counted, read ---------------------------------------------------------------------


def test_notifications_survive_the_request_and_show_on_a_fresh_page(app, helpdesk, client_as, data):
    agent = client_as("agent")
    with data():
        ticket_id = file_for(helpdesk)
    agent.post(f"/tickets/{ticket_id}/reply", data={"body": "Mire el cable."})
    with app.app_context():  # a new context, a new session: read back from the database
        (reply,) = rows(helpdesk["user"])
        assert reply.read_at is None and reply.ticket_id == ticket_id
    page = client_as("user").get("/notifications").get_data(as_text=True)
    assert "Agent Uno replied on TKT-000001: No hay red" in page
    assert f'href="/tickets/{ticket_id}"' in page


def test_the_bell_renders_the_unread_count_with_the_page(helpdesk, client_as, data):
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk))
        tickets.add_comment(ticket, "Uno", user("agent", helpdesk))
        tickets.add_comment(ticket, "Dos", user("agent", helpdesk))
    page = client_as("user").get("/tickets").get_data(as_text=True)
    badge = re.search(r'<span[^>]*id="notification-count"[^>]*>(\d+)</span>', page)
    assert badge and badge.group(1) == "2" and 'data-count="2"' in badge.group(0)
    assert page.count("notification-item notification-unread") == 2
    assert "js/notifications.js" in page
    quiet = client_as("staff").get("/account").get_data(as_text=True)
    assert re.search(r'id="notification-count" data-count="0"\s+hidden', quiet)
    assert "No notifications yet." in quiet


def test_json_lists_the_latest_and_catches_up_after_an_id(helpdesk, client_as, data):
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk))
        for body in ("Uno", "Dos", "Tres"):
            tickets.add_comment(ticket, body, user("agent", helpdesk))
        ids = [n.id for n in rows(helpdesk["user"])]
    client = client_as("user")
    body = client.get("/notifications.json").json
    assert [item["id"] for item in body["items"]] == ids[::-1] and body["unread_count"] == 3
    assert set(body["items"][0]) == {"id", "kind", "text", "url", "created_at", "unread"}
    newer = client.get(f"/notifications.json?after={ids[0]}").json
    assert [item["id"] for item in newer["items"]] == ids[:0:-1] and newer["unread_count"] == 3
    assert client.get(f"/notifications.json?after={ids[-1]}").json["items"] == []
    # Another person's catch-up from 0 finds only their own (agent1's assignment).
    agent_items = client_as("agent").get("/notifications.json?after=0").json["items"]
    assert [item["kind"] for item in agent_items] == ["assigned"]


def test_marking_one_and_all_read(helpdesk, client_as, data):
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk))
        for body in ("Uno", "Dos", "Tres"):
            tickets.add_comment(ticket, body, user("agent", helpdesk))
        first, *_ = [n.id for n in rows(helpdesk["user"])]
    client = client_as("user")
    response = client.post(f"/notifications/{first}/read", csrf=False, headers=json_headers(client))
    assert response.status_code == 200 and response.json == {"unread_count": 2}
    assert client.post(f"/notifications/{first}/read", csrf=False, headers=json_headers(client)).json == {
        "unread_count": 2}  # twice is harmless
    assert client.post("/notifications/read-all", data={"page": "1"}).status_code == 302  # the page's button
    with data():
        assert all(n.read_at is not None for n in rows(helpdesk["user"]))
    assert client.get("/notifications.json").json["unread_count"] == 0


def test_marking_read_needs_the_csrf_token(helpdesk, client_as, data):
    with data():
        file_for(helpdesk)
        (mine,) = rows(helpdesk["agent"])
    agent = client_as("agent")
    assert agent.post(f"/notifications/{mine.id}/read", csrf=False,
                      headers={"Accept": "application/json"}).status_code == 400
    with data():
        assert db.session.get(Notification, mine.id).read_at is None


def test_someone_elses_notification_is_not_found_and_stays_unread(helpdesk, client_as, data):
    with data():
        file_for(helpdesk)
        (agents,) = rows(helpdesk["agent"])
    user_client = client_as("user")
    response = user_client.post(f"/notifications/{agents.id}/read", csrf=False, headers=json_headers(user_client))
    assert response.status_code == 404
    assert user_client.post(f"/notifications/{agents.id}/read").status_code == 404
    user_client.post("/notifications/read-all")
    with data():
        assert db.session.get(Notification, agents.id).read_at is None


def test_opening_the_ticket_reads_its_notifications(helpdesk, client_as, data):
    with data():
        first = db.session.get(Ticket, file_for(helpdesk))
        second = db.session.get(Ticket, file_for(helpdesk, title="Otra"))
        tickets.add_comment(first, "Uno", user("agent", helpdesk))
        tickets.add_comment(second, "Dos", user("agent", helpdesk))
        first_id = first.id
    client = client_as("user")
    page = client.get(f"/tickets/{first_id}").get_data(as_text=True)
    assert 'data-count="1"' in page  # the bell on that very page already counts it read
    with data():
        assert [n.read_at is not None for n in rows(helpdesk["user"])] == [True, False]


def test_the_history_pages_and_escapes(helpdesk, client_as, data):
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk, title="<script>alert(1)</script>"))
        for number in range(inbox.PAGE_SIZE + 1):
            tickets.add_comment(ticket, f"Respuesta {number}", user("agent", helpdesk))
    client = client_as("user")
    first = client.get("/notifications").get_data(as_text=True)
    assert "<script>alert" not in first and "&lt;script&gt;alert(1)&lt;/script&gt;" in first
    assert len(history(first)) == inbox.PAGE_SIZE
    assert len(history(client.get("/notifications?page=2").get_data(as_text=True))) == 1


def history(page):
    listing = page.split('id="notification-history"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'data-id="(\d+)"', listing)


# --- live ----------------------------------------------------------------------------------------


def test_a_signed_in_socket_hears_of_a_notification_once_it_is_committed(app, helpdesk, client_as, data):
    requester = client_as("user")
    socket = connect(app, requester)
    bystander = connect(app, client_as("staff"))
    with data():
        ticket_id = file_for(helpdesk)
    client_as("agent").post(f"/tickets/{ticket_id}/reply", data={"body": "Ya está."})
    (pushed,) = events(socket, "notification")
    with data():
        (stored,) = rows(helpdesk["user"])
        assert pushed == inbox.as_dict(stored) | {"text": pushed["text"]}
    assert pushed["kind"] == "reply" and pushed["unread"] is True and pushed["url"] == f"/tickets/{ticket_id}"
    assert pushed["text"] == "Agent Uno replied on TKT-000001: No hay red"
    assert events(bystander, "notification") == []
    socket.disconnect()
    bystander.disconnect()


def test_nothing_is_pushed_before_the_commit_or_after_a_rollback(app, helpdesk, client_as, data):
    socket = connect(app, client_as("user"))
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk))
        tickets.add_comment(ticket, "Primera", user("agent", helpdesk))
        assert len(events(socket, "notification")) == 1
        inbox.notify(helpdesk["user"], NotificationKind.REPLY, ticket, actor=user("agent", helpdesk))
        assert events(socket, "notification") == []  # stored but not committed yet
        db.session.rollback()
        db.session.commit()
        assert events(socket, "notification") == []
        assert len(rows(helpdesk["user"])) == 1
    socket.disconnect()


@pytest.mark.parametrize("locale, label", [("en", "“In progress”"), ("es", "«En curso»")])
def test_the_text_is_in_the_recipients_language(app, helpdesk, client_as, data, locale, label):
    with data():
        user("user", helpdesk).locale = locale
        user("agent", helpdesk).locale = "en" if locale == "es" else "es"  # the actor's language does not matter
        db.session.commit()
    client = client_as("user")
    socket = connect(app, client)
    with data():
        tickets.change_status(db.session.get(Ticket, file_for(helpdesk)), "in_progress", user("agent", helpdesk))
    (pushed,) = events(socket, "notification")
    assert label in pushed["text"]
    assert label in client.get("/notifications.json").json["items"][0]["text"]
    socket.disconnect()


def test_reading_tells_the_readers_other_tabs(app, helpdesk, client_as, data):
    client = client_as("user")
    other_tab = connect(app, client)
    with data():
        ticket = db.session.get(Ticket, file_for(helpdesk))
        tickets.add_comment(ticket, "Uno", user("agent", helpdesk))
        tickets.add_comment(ticket, "Dos", user("agent", helpdesk))
        first, second = [n.id for n in rows(helpdesk["user"])]
    other_tab.get_received()
    client.post(f"/notifications/{first}/read", csrf=False, headers=json_headers(client))
    assert events(other_tab, "notifications_read") == [{"ids": [first], "unread_count": 1}]
    client.get(f"/tickets/{ticket.id}")
    assert events(other_tab, "notifications_read") == [{"ids": [second], "unread_count": 0}]
    client.get(f"/tickets/{ticket.id}")  # nothing left unread: nothing to say
    assert events(other_tab, "notifications_read") == []
    other_tab.disconnect()
