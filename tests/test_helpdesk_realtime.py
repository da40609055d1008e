"""The live helpdesk: who hears of a ticket's changes (its page, its tracking link, the lists and
the dashboard), what the pages fetch when they do, and what is refused."""
import time

import pytest

from extensions import db, socketio
from models import AgentArea, Role, Ticket, User
from realtime import guard
from services.helpdesk import tickets
from tests.conftest import PASSWORD, login


@pytest.fixture
def people(app, helpdesk):
    """On top of one account per role: user2 (another requester) and billing1, an agent of
    Facturación only, not available (so Facturación tickets stay unassigned)."""
    with app.app_context():
        for username, role in (("user2", Role.USER), ("billing1", Role.AGENT)):
            user = User(username=username, email=f"{username}@example.org", full_name=username.title(), role=role,
                        available=username != "billing1")
            user.set_password(PASSWORD)
            db.session.add(user)
            db.session.flush()
            helpdesk[username] = user.id
        db.session.add(AgentArea(user_id=helpdesk["billing1"], area_id=helpdesk["billing"]))
        db.session.commit()
    return helpdesk


def file_ticket(people, requester="user", category="network", title="Sin red"):
    """A ticket filed through the service (an account's, or without one when requester is None)."""
    account = db.session.get(User, people[requester]) if requester else None
    extra = {} if account else {"requester_name": "Ana Anónima", "requester_email": "ana@example.org"}
    ticket = tickets.file_ticket(title=title, description="No conecta", category_id=people[category],
                                 requester=account, **extra)
    return ticket.id


@pytest.fixture
def ticket_id(data, people):
    """user1's ticket in Soporte, assigned to agent1 automatically."""
    with data():
        ticket_id = file_ticket(people)
        assert db.session.get(Ticket, ticket_id).assignee_id == people["agent"]
    return ticket_id


def signed_in(app, username):
    http = app.test_client()
    assert login(http, username).status_code == 302
    return http


@pytest.fixture
def sockets(app, people):
    """sockets("agent1") is a connected "/" socket of that account, with its HTTP client as `.http`."""
    opened = []

    def make(username):
        http = signed_in(app, username)
        socket = socketio.test_client(app, flask_test_client=http)
        assert socket.is_connected()
        socket.http = http
        opened.append(socket)
        return socket

    yield make
    for socket in opened:
        if socket.is_connected():
            socket.disconnect()


def tracker(app, token):
    return socketio.test_client(app, namespace="/track", auth={"token": token})


def heard(socket, name, namespace="/"):
    """The payloads of `name` events received; takes every queued event, of any name, off the queue."""
    return [event["args"][0] for event in socket.get_received(namespace) if event["name"] == name]


def watch(socket, ticket_id):
    return socket.emit("ticket:watch", {"ticket_id": ticket_id}, callback=True)


def as_user(user_key, people):
    return db.session.get(User, people[user_key])


# --- joining a ticket's room ------------------------------------------------------------------


def test_staff_and_the_requester_join_their_rooms(sockets, ticket_id):
    assert watch(sockets("agent1"), ticket_id) == {"ok": True, "ticket_id": ticket_id, "staff": True}
    assert watch(sockets("admin1"), ticket_id)["staff"] is True
    assert watch(sockets("user1"), ticket_id) == {"ok": True, "ticket_id": ticket_id, "staff": False}


@pytest.mark.parametrize("username", ["user2", "billing1", "staff1", "registrar1"])
def test_people_who_may_not_see_the_ticket_are_refused_and_hear_nothing(sockets, data, people, ticket_id, username):
    socket = sockets(username)
    socket.get_received()
    answer = watch(socket, ticket_id)
    (error,) = heard(socket, "error_event")
    assert answer == {"error": error["message"]} and error["event"] == "ticket:watch"
    assert "not yours to see" in error["message"]
    with data():
        ticket = db.session.get(Ticket, ticket_id)
        tickets.add_comment(ticket, "Respuesta", as_user("agent", people))
        tickets.change_status(ticket, "in_progress", as_user("agent", people))
    assert heard(socket, "ticket_changed") == []


def test_a_ticket_that_does_not_exist_is_refused_like_one_not_ours(sockets, ticket_id):
    socket = sockets("user2")
    assert watch(socket, ticket_id + 1000) == watch(socket, ticket_id)


@pytest.mark.parametrize("payload, message", [
    ("7", "JSON object"), ([7], "JSON object"), ({}, "invalid payload"), ({"ticket_id": "7"}, "invalid payload"),
    ({"ticket_id": True}, "invalid payload"), ({"ticket_id": 0}, "invalid payload"),
    ({"ticket_id": 2 ** 40}, "invalid payload"), ({"ticket_id": 7, "room": "helpdesk:admin"}, "invalid payload"),
    ({"ticket_id": 7, "padding": "x" * 1000}, "larger than"),
])
def test_malformed_watch_payloads_get_an_error_event(sockets, payload, message):
    socket = sockets("admin1")
    socket.get_received()
    answer = socket.emit("ticket:watch", payload, callback=True)
    (error,) = heard(socket, "error_event")
    assert answer == {"error": error["message"]} and error["event"] == "ticket:watch"
    assert message in error["message"]
    assert socket.is_connected()


def test_a_flood_of_watches_is_dropped(sockets, ticket_id, monkeypatch):
    monkeypatch.setattr(guard, "clock", lambda: 500.0)
    socket = sockets("agent1")
    answers = [watch(socket, ticket_id) for _ in range(guard.BURST + 3)]
    assert answers[-1] == {"error": "too many events; slow down"}


# --- what each room hears ----------------------------------------------------------------


@pytest.fixture
def watchers(app, sockets, ticket_id, data):
    """The ticket's page open by agent1, admin1 and user1 (watching), by user2 (not allowed), and
    its tracking page; every socket's queue emptied."""
    with data():
        token = db.session.get(Ticket, ticket_id).tracking_token
    found = {name: sockets(name) for name in ("agent1", "admin1", "user1", "user2", "billing1")}
    for name in ("agent1", "admin1", "user1", "user2"):
        watch(found[name], ticket_id)
    found["track"] = tracker(app, token)
    assert found["track"].is_connected("/track")
    for name, socket in found.items():
        socket.get_received("/track" if name == "track" else "/")
    yield found
    found["track"].disconnect("/track")


def ticket_events(watchers):
    return {name: heard(socket, "ticket_changed", "/track" if name == "track" else "/")
            for name, socket in watchers.items()}


def test_a_reply_reaches_everyone_watching_and_the_tracking_page(watchers, ticket_id):
    watchers["agent1"].http.post(f"/tickets/{ticket_id}/reply", data={"body": "Reinicie el router"})
    events = ticket_events(watchers)
    expected = [{"ticket_id": ticket_id, "change": "reply"}]
    assert events == {"agent1": expected, "admin1": expected, "user1": expected, "track": expected,
                      "user2": [], "billing1": []}


def test_an_internal_note_reaches_staff_only(watchers, ticket_id):
    watchers["agent1"].http.post(f"/tickets/{ticket_id}/reply", data={"body": "Router viejo", "internal": "y"})
    received = {name: socket.get_received("/track" if name == "track" else "/") for name, socket in watchers.items()}
    note = {"ticket_id": ticket_id, "change": "note"}
    for name in ("agent1", "admin1"):
        assert note in [event["args"][0] for event in received[name] if event["name"] == "ticket_changed"]
    for name in ("user1", "user2", "billing1", "track"):
        assert [event for event in received[name] if event["name"] == "ticket_changed"] == [], name
    # The requester's list does not even move for a note; staff lists do.
    assert [e for e in received["user1"] if e["name"] == "tickets_changed"] == []
    assert any(e["name"] == "tickets_changed" for e in received["agent1"])
    assert all("Router viejo" not in str(event) for events in received.values() for event in events)


@pytest.mark.parametrize("change, form", [
    ("status", lambda people: {"status": "in_progress"}),
    ("priority", lambda people: {"priority_id": people["priorities"]["critical"]}),
])
def test_status_and_priority_changes_reach_the_public_room(watchers, people, ticket_id, change, form):
    watchers["admin1"].http.post(f"/tickets/{ticket_id}/{change}", data=form(people))
    events = ticket_events(watchers)
    for name in ("agent1", "admin1", "user1", "track"):
        assert events[name] == [{"ticket_id": ticket_id, "change": change}], name
    assert events["user2"] == [] and events["billing1"] == []


def test_a_reassignment_empties_the_staff_room_and_only_those_still_allowed_come_back(watchers, people, ticket_id):
    watchers["admin1"].http.post(f"/tickets/{ticket_id}/assign", data={"assignee_id": people["billing1"]})
    events = ticket_events(watchers)
    moved = {"ticket_id": ticket_id, "change": "assignee", "rewatch": True}
    assert events["agent1"] == [moved] and events["admin1"] == [moved] and events["user1"] == [moved]
    assert events["track"] == [{"ticket_id": ticket_id, "change": "assignee"}]
    assert "error" in watch(watchers["agent1"], ticket_id)  # no longer theirs
    assert watch(watchers["admin1"], ticket_id)["staff"] is True
    assert watch(watchers["billing1"], ticket_id)["staff"] is True
    watchers["admin1"].http.post(f"/tickets/{ticket_id}/reply", data={"body": "Nota", "internal": "y"})
    assert heard(watchers["agent1"], "ticket_changed") == []
    assert heard(watchers["billing1"], "ticket_changed") == [{"ticket_id": ticket_id, "change": "note"}]


def test_the_anonymous_requester_acting_on_the_tracking_link_is_heard_by_staff(client, watchers, data, ticket_id):
    with data():
        token = db.session.get(Ticket, ticket_id).tracking_token
    client.post(f"/soporte/t/{token}/reply", data={"body": "Sigue sin red"})
    events = ticket_events(watchers)
    assert events["agent1"] == events["track"] == [{"ticket_id": ticket_id, "change": "reply"}]


def test_moving_an_unassigned_ticket_to_another_area_moves_its_staff(sockets, data, people):
    with data():
        ticket_id = file_ticket(people, category="invoice")  # Facturación: nobody available, unassigned
    billing, agent = sockets("billing1"), sockets("agent1")
    assert watch(billing, ticket_id)["staff"] is True and "error" in watch(agent, ticket_id)
    billing.get_received(), agent.get_received()
    with data():
        tickets.edit_ticket(db.session.get(Ticket, ticket_id), as_user("admin", people),
                            {"category_id": people["network"]})
    received = {name: socket.get_received() for name, socket in (("billing1", billing), ("agent1", agent))}
    assert {"name": "ticket_changed", "args": [{"ticket_id": ticket_id, "change": "edited", "rewatch": True}],
            "namespace": "/"} in received["billing1"]
    # Both areas' lists hear of it: it leaves one and arrives in the other.
    for events in received.values():
        assert [e["args"][0] for e in events if e["name"] == "tickets_changed"] == [{"ticket_id": ticket_id}]
    assert "error" in watch(billing, ticket_id) and watch(agent, ticket_id)["staff"] is True


def test_a_deleted_ticket_tells_its_pages_and_lists(watchers, data, people, ticket_id):
    with data():
        tickets.delete_ticket(db.session.get(Ticket, ticket_id), as_user("admin", people))
    received = {name: socket.get_received("/track" if name == "track" else "/") for name, socket in watchers.items()}
    gone = {"name": "ticket_changed", "args": [{"ticket_id": ticket_id, "change": "deleted"}]}
    for name in ("agent1", "admin1", "user1", "track"):
        assert {key: received[name][0][key] for key in ("name", "args")} == gone, name
    assert {"ticket_id": ticket_id} in [e["args"][0] for e in received["user1"] if e["name"] == "tickets_changed"]


def test_a_rolled_back_change_is_never_heard(watchers, data, people, ticket_id):
    with data():
        ticket = db.session.get(Ticket, ticket_id)
        tickets.change_status(ticket, "in_progress", as_user("agent", people), commit=False)
        db.session.rollback()
    assert all(events == [] for events in ticket_events(watchers).values())
    assert heard(watchers["admin1"], "tickets_changed") == []
    with data():
        tickets.change_status(db.session.get(Ticket, ticket_id), "in_progress", as_user("agent", people))
    assert ticket_events(watchers)["user1"] == [{"ticket_id": ticket_id, "change": "status"}]


def test_a_refused_change_is_never_heard(watchers, ticket_id):
    response = watchers["user1"].http.post(f"/tickets/{ticket_id}/status", data={"status": "on_hold"})
    assert response.status_code == 302  # refused with a flash: requesters only close or reopen
    assert all(events == [] for events in ticket_events(watchers).values())


# --- the tracking namespace ---------------------------------------------------------------


@pytest.mark.parametrize("auth", [None, {}, {"token": ""}, {"token": "not-a-token"}, {"token": 5},
                                  {"token": "x" * 500}, "token"])
def test_tracking_sockets_need_a_valid_token(app, people, auth):
    socket = socketio.test_client(app, namespace="/track", auth=auth)
    assert not socket.is_connected("/track")


def test_a_tracking_page_hears_only_its_own_tickets_public_events(app, data, people):
    with data():
        mine, other = file_ticket(people, requester=None), file_ticket(people, requester=None)
        token = db.session.get(Ticket, mine).tracking_token
    socket = tracker(app, token)
    socket.get_received("/track")
    with data():
        agent = as_user("agent", people)
        for ticket_id in (mine, other):
            ticket = db.session.get(Ticket, ticket_id)
            tickets.add_comment(ticket, "Hola", agent)
            tickets.add_comment(ticket, "Nota", agent, internal=True)
    assert heard(socket, "ticket_changed", "/track") == [{"ticket_id": mine, "change": "reply"}]
    socket.disconnect("/track")


# --- lists and the dashboard --------------------------------------------------------------


def list_events(sockets_by_name):
    return {name: heard(socket, "tickets_changed") for name, socket in sockets_by_name.items()}


def test_list_events_reach_the_requester_the_assignee_and_admins(sockets, data, people):
    found = {name: sockets(name) for name in ("user1", "user2", "agent1", "billing1", "admin1", "staff1")}
    for socket in found.values():
        socket.get_received()
    with data():
        ticket_id = file_ticket(people)
    events = list_events(found)
    change = [{"ticket_id": ticket_id}]
    assert events == {"user1": change, "agent1": change, "admin1": change, "user2": [], "billing1": [], "staff1": []}


def test_an_unassigned_ticket_reaches_the_agents_of_its_area(sockets, data, people):
    found = {name: sockets(name) for name in ("agent1", "billing1", "admin1")}
    with data():
        ticket_id = file_ticket(people, category="invoice")
        assert db.session.get(Ticket, ticket_id).assignee_id is None
    events = list_events(found)
    assert events == {"agent1": [], "billing1": [{"ticket_id": ticket_id}], "admin1": [{"ticket_id": ticket_id}]}
    # Taken by billing1: the area stops hearing of it once it is someone's, but hears it leave.
    found["billing1"].http.post(f"/tickets/{ticket_id}/assign", data={"take": "1"})
    assert heard(found["billing1"], "tickets_changed") == [{"ticket_id": ticket_id}]
    with data():
        tickets.change_status(db.session.get(Ticket, ticket_id), "in_progress", as_user("billing1", people))
    assert heard(found["billing1"], "tickets_changed") == [{"ticket_id": ticket_id}]  # as its assignee


def test_a_reassignment_reaches_the_old_and_the_new_assignee(sockets, ticket_id, people):
    found = {name: sockets(name) for name in ("agent1", "billing1", "admin1", "user1")}
    for socket in found.values():
        socket.get_received()
    found["admin1"].http.post(f"/tickets/{ticket_id}/assign", data={"assignee_id": people["billing1"]})
    assert all(events == [{"ticket_id": ticket_id}] for events in list_events(found).values())


# --- what the pages fetch -----------------------------------------------------------------


def test_the_ticket_fragment_shows_each_viewer_what_their_page_shows(app, client, data, people, ticket_id):
    agent, user, other = (signed_in(app, name) for name in ("agent1", "user1", "user2"))
    agent.post(f"/tickets/{ticket_id}/reply", data={"body": "Respuesta pública"})
    agent.post(f"/tickets/{ticket_id}/reply", data={"body": "Nota secreta", "internal": "y"})
    agent.post(f"/tickets/{ticket_id}/status", data={"status": "in_progress"})
    staff_part = agent.get(f"/tickets/{ticket_id}/live")
    assert staff_part.status_code == 200 and staff_part.headers["Cache-Control"] == "private, no-store"
    body = staff_part.get_data(as_text=True)
    assert 'id="ticket-live"' in body and "Nota secreta" in body and 'data-status="in_progress"' in body
    assert "<html" not in body and 'name="internal"' in body
    user_part = user.get(f"/tickets/{ticket_id}/live").get_data(as_text=True)
    assert "Respuesta pública" in user_part and "Nota secreta" not in user_part
    assert 'data-status="in_progress"' in user_part and 'name="internal"' not in user_part
    assert other.get(f"/tickets/{ticket_id}/live").status_code == 404
    assert client.get(f"/tickets/{ticket_id}/live").status_code == 302  # to the login
    with data():
        token = db.session.get(Ticket, ticket_id).tracking_token
    tracked = client.get(f"/soporte/t/{token}/live")
    assert tracked.status_code == 200 and tracked.headers["Referrer-Policy"] == "no-referrer"
    public_part = tracked.get_data(as_text=True)
    assert "Respuesta pública" in public_part and "Nota secreta" not in public_part
    assert client.get("/soporte/t/wrong/live").status_code == 404


def test_the_ticket_page_carries_what_its_script_needs(app, client, data, ticket_id):
    page = signed_in(app, "user1").get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert f'data-live-url="/tickets/{ticket_id}/live"' in page and "js/ticket_live.js" in page
    assert "data-track-token" not in page
    with data():
        token = db.session.get(Ticket, ticket_id).tracking_token
    tracking = client.get(f"/soporte/t/{token}").get_data(as_text=True)
    assert f'data-track-token="{token}"' in tracking and "socket.io.min.js" in tracking
    assert "<script>" not in tracking  # nothing inline: the CSP forbids it


def test_list_and_dashboard_fragments_keep_the_filters_and_leave_the_form_out(app, data, people, ticket_id):
    with data():
        file_ticket(people, title="Impresora atascada", category="printer")
    admin = signed_in(app, "admin1")
    part = admin.get("/tickets/admin?fragment=1&q=impresora")
    body = part.get_data(as_text=True)
    assert part.status_code == 200 and part.headers["Cache-Control"] == "private, no-store"
    assert 'id="ticket-list-live"' in body and "Impresora atascada" in body and "Sin red" not in body
    assert 'id="ticket-filters"' not in body and "<html" not in body
    assert 'data-live-region="results"' in admin.get("/tickets/admin").get_data(as_text=True)
    agent_part = signed_in(app, "agent1").get("/tickets/ingeniero?fragment=1").get_data(as_text=True)
    assert 'id="agent-stats"' in agent_part and "Sin red" in agent_part
    mine = signed_in(app, "user2").get("/tickets?fragment=1").get_data(as_text=True)
    assert "Sin red" not in mine and 'id="no-tickets"' in mine
    dashboard = admin.get("/tickets/dashboard?fragment=1").get_data(as_text=True)
    assert 'id="dashboard-live"' in dashboard and 'data-stat="total">2<' in dashboard
    assert 'data-live-region="charts" data-charts=' in dashboard
    assert signed_in(app, "agent1").get("/tickets/dashboard?fragment=1").status_code == 403


def test_live_refreshes_do_not_keep_an_idle_session_alive(app, client_as, helpdesk):
    client = client_as("admin")
    with client.session_transaction() as session:
        session["last_active"] = time.time() - 10
        before = session["last_active"]
    client.get("/tickets/dashboard?fragment=1", headers={"X-Live-Refresh": "1"})
    with client.session_transaction() as session:
        assert session["last_active"] == before
    client.get("/tickets/dashboard")
    with client.session_transaction() as session:
        assert session["last_active"] > before
