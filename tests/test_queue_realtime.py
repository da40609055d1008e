"""Socket.IO for the queue: screens get `state` then `call`; panels get `line_changed`."""
from extensions import db, socketio
from models import User
from tests.conftest import login


def events(socket, name):
    return [event["args"][0] for event in socket.get_received(socket_namespace(socket)) if event["name"] == name]


def socket_namespace(socket):
    return next(iter(socket.connected))


def screen(app, client, services=None):
    return socketio.test_client(app, namespace="/display", flask_test_client=client,
                                query_string=f"services={services}" if services else None)


def test_screen_gets_state_on_connect_and_call_after_call_next(app, client, client_as, queue_desk):
    kiosk, panel = client_as("registrar"), client_as("staff")
    kiosk.post("/registro", data={"service_id": queue_desk["A"]})
    tv = screen(app, client)
    state = events(tv, "state")[0]
    assert state["current"] is None and state["waiting"] == {"A": 1, "B": 0}
    panel.post("/panel/call-next")
    received = tv.get_received("/display")
    calls = [e["args"][0] for e in received if e["name"] == "call"]
    assert len(calls) == 1
    call = calls[0]
    assert call["ticket"] == "A-001" and call["counter"] == "Módulo 1" and call["recall"] is False
    assert call["service"] == "General" and call["called_at"].startswith("20")
    assert call["waiting"] == {"A": 0, "B": 0}  # the counts travel with the call: one message
    assert not [e for e in received if e["name"] == "waiting"]


def test_recall_is_announced_as_a_recall(app, client, client_as, queue_desk):
    client_as("registrar").post("/registro", data={"service_id": queue_desk["A"]})
    panel = client_as("staff")
    ticket_id = panel.post("/panel/call-next", headers={"Accept": "application/json"}).json["ticket"]["id"]
    tv = screen(app, client)
    tv.get_received("/display")
    panel.post(f"/panel/tickets/{ticket_id}/recall")
    calls = events(tv, "call")
    assert len(calls) == 1 and calls[0]["recall"] is True


def test_a_filtered_screen_hears_only_its_services(app, client, client_as, queue_desk):
    kiosk = client_as("registrar")
    kiosk.post("/registro", data={"service_id": queue_desk["B"]})
    only_a, only_b = screen(app, client, "A"), screen(app, app.test_client(), "b")
    assert events(only_a, "state")[0]["waiting"] == {"A": 0}
    assert events(only_b, "state")[0]["waiting"] == {"B": 1}
    client_as("staff").post("/panel/call-next")  # counter 1 serves A first, then B: calls B-001
    assert events(only_a, "call") == []
    assert [c["ticket"] for c in events(only_b, "call")] == ["B-001"]


def test_panels_of_the_service_hear_line_changes(app, client_as, queue_desk):
    staff_http = client_as("staff")
    panel = socketio.test_client(app, namespace="/queue", flask_test_client=staff_http)
    assert panel.is_connected("/queue")
    client_as("registrar").post("/registro", data={"service_id": queue_desk["B"]})
    changes = events(panel, "line_changed")
    assert changes and queue_desk["B"] in changes[-1]["service_ids"]


def test_queue_namespace_is_for_staff_and_admins_only(app, client, client_as, queue_desk):
    for role in (None, "registrar", "agent", "user"):
        http = client_as(role) if role else client
        socket = socketio.test_client(app, namespace="/queue", flask_test_client=http)
        assert not socket.is_connected("/queue"), role
    admin = socketio.test_client(app, namespace="/queue", flask_test_client=client_as("admin"))
    assert admin.is_connected("/queue")


def test_bad_service_filters_are_ignored(app, client, queue_desk):
    tv = screen(app, client, "A,<script>,ZZZZ,%00")
    assert tv.is_connected("/display")
    assert events(tv, "state")[0]["waiting"] == {"A": 0}


def test_idle_or_must_change_sessions_get_no_socket(app, client_as, users):
    staff = client_as("staff")
    with staff.session_transaction() as session:
        session["last_active"] -= (app.config["SESSION_IDLE_MINUTES"] + 1) * 60
    assert not socketio.test_client(app, namespace="/queue", flask_test_client=staff).is_connected("/queue")
    with app.app_context():
        db.session.get(User, users["admin"]).must_change_password = True
        db.session.commit()
    admin = app.test_client()
    login(admin, "admin1")
    assert not socketio.test_client(app, flask_test_client=admin).is_connected()


def test_logout_closes_only_that_browsers_sockets(app, client_as, users):
    first, second = client_as("staff"), client_as("staff")
    first_socket = socketio.test_client(app, flask_test_client=first)
    second_socket = socketio.test_client(app, flask_test_client=second)
    first.post("/logout")
    assert not first_socket.is_connected()
    assert second_socket.is_connected() and second.get("/account").status_code == 200
    second_socket.disconnect()


def test_issuing_sends_screens_the_new_waiting_counts(app, client, client_as, queue_desk):
    tv = screen(app, client)
    tv.get_received("/display")
    client_as("registrar").post("/registro", data={"service_id": queue_desk["B"]})
    assert events(tv, "waiting")[-1]["waiting"] == {"A": 0, "B": 1}
