"""Private chat: who may chat with whom (pages, JSON and sockets), sending, history paging and
catch-up, unread counts, read state, typing, sanitising, and bad socket payloads."""
import re

import pytest

from extensions import db, socketio
from models import ChatMessage, Conversation, Ticket, User
from realtime import chat as live
from realtime import guard
from services.helpdesk import tickets
from services.messaging import chat
from tests.support.people import make_people
from tests.support.queries import statements_on
from tests.support.sockets import connect, events, signed_in
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.usefixtures("instant_presence")  # tests/support/chat.py


def send(sender_id, to_id, body):
    return chat.send_message(db.session.get(User, sender_id), body, to_user_id=to_id)


# --- who may chat with whom ----------------------------------------------------------------------


def test_who_may_chat_with_whom(app, chat_desk, data):
    staff = ["admin", "agent", "agent2", "staff", "registrar"]
    allowed = {(a, b) for a in staff for b in staff} | {("user", "agent"), ("user", "admin"), ("user2", "admin")}
    people = ["admin", "agent", "agent2", "staff", "registrar", "user", "user2"]
    with data():
        for a in people:
            for b in people:
                expected = a != b and ((a, b) in allowed or (b, a) in allowed)
                found = chat.chat_partner(db.session.get(User, chat_desk[a]), chat_desk[b]) is not None
                assert found == expected, (a, b)
        user = db.session.get(User, chat_desk["user"])
        assert {u.id for u in chat.contacts(user)} == {chat_desk["agent"], chat_desk["admin"]}
        db.session.get(User, chat_desk["agent"]).active = False
        db.session.commit()
        assert chat.chat_partner(user, chat_desk["agent"]) is None  # a deactivated account is nobody's contact


def test_pages_refuse_people_one_may_not_chat_with(app, chat_desk, data):
    user = signed_in(app, "user1")
    assert user.get(f"/chat/{chat_desk['agent']}").status_code == 200
    for other in ("staff", "agent2", "user2", "user"):
        assert user.get(f"/chat/{chat_desk[other]}").status_code == 404, other
        assert user.post(f"/chat/{chat_desk[other]}/messages", data={"body": "hola"}).status_code == 404, other
    assert user.get("/chat/999999").status_code == 404
    with data():
        assert db.session.query(ChatMessage).count() == 0


def test_the_history_of_a_conversation_is_for_its_two_people_only(app, chat_desk, data):
    with data():
        conversation_id = send(chat_desk["user"], chat_desk["agent"], "hola").conversation_id
    assert signed_in(app, "agent1").get(f"/chat/{conversation_id}/messages.json").status_code == 200
    for username in ("staff1", "agent2", "user2", "admin1"):
        assert signed_in(app, username).get(f"/chat/{conversation_id}/messages.json").status_code == 404, username


def test_a_conversation_stays_readable_when_its_people_stop_being_contacts(app, chat_desk, data):
    with data():
        send(chat_desk["user"], chat_desk["agent"], "¿Ya está la impresora?")
        db.session.query(User).filter_by(id=chat_desk["agent"]).update({"active": False})
        db.session.commit()
    page = signed_in(app, "user1").get(f"/chat/{chat_desk['agent']}").get_data(as_text=True)
    assert "¿Ya está la impresora?" in page and 'id="chat-closed"' in page and 'id="chat-form"' not in page
    refused = signed_in(app, "user1").post(f"/chat/{chat_desk['agent']}/messages", data={"body": "¿hola?"})
    assert refused.status_code == 404


def test_someone_no_longer_a_contact_cannot_type_at_them(app, chat_desk, data):
    with data():
        conversation_id = send(chat_desk["agent"], chat_desk["user"], "¿Sigue sin imprimir?").conversation_id
        ticket = db.session.scalars(db.select(Ticket)).first()
        tickets.assign(ticket, None, db.session.get(User, chat_desk["admin"]))  # agent1 leaves user1's only ticket
    socket = connect(app, signed_in(app, "agent1"))
    assert socket.emit("chat:typing", {"conversation_id": conversation_id}, callback=True) == {
        "error": "you can no longer write to this person"}
    socket.disconnect()


# --- sending, history and catch-up ---------------------------------------------------------------


def test_the_first_message_creates_the_conversation_and_both_see_it(app, chat_desk, data):
    user = signed_in(app, "user1")
    response = user.post(f"/chat/{chat_desk['agent']}/messages", data={"body": "  Hola, ¿me ayudas?  "})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/chat/{chat_desk['agent']}")
    user.post(f"/chat/{chat_desk['agent']}/messages", data={"body": "Es la impresora."})
    with data():
        (conversation,) = db.session.query(Conversation).all()
        assert {conversation.first_user_id, conversation.second_user_id} == {chat_desk["user"], chat_desk["agent"]}
        assert [m.body for m in db.session.query(ChatMessage).order_by(ChatMessage.id)] == [
            "Hola, ¿me ayudas?", "Es la impresora."]
    page = signed_in(app, "agent1").get(f"/chat/{chat_desk['user']}").get_data(as_text=True)
    assert "Hola, ¿me ayudas?" in page and "Es la impresora." in page
    listing = signed_in(app, "agent1").get("/chat").get_data(as_text=True)
    assert "User Uno" in listing and "Es la impresora." in listing


def test_an_empty_or_overlong_message_is_refused(app, chat_desk, data):
    user = signed_in(app, "user1")
    headers = {"X-CSRFToken": user.csrf_token(), "Accept": "application/json"}
    for body in ("", "   \n ", "x" * (chat.MAX_LENGTH + 1), None, 5):
        response = user.post(f"/chat/{chat_desk['agent']}/messages", json={"body": body}, headers=headers)
        assert response.status_code == 400 and response.json["error"] == "validation_error", body
    for not_an_object in ([1], "hola", 7):
        response = user.post(f"/chat/{chat_desk['agent']}/messages", json=not_an_object, headers=headers)
        assert response.status_code == 400, not_an_object
    ok = user.post(f"/chat/{chat_desk['agent']}/messages", json={"body": "x" * chat.MAX_LENGTH}, headers=headers)
    assert ok.status_code == 201 and len(ok.json["body"]) == chat.MAX_LENGTH


def test_sending_by_fetch_needs_the_csrf_header(app, chat_desk, data):
    user = signed_in(app, "user1")
    refused = user.post(f"/chat/{chat_desk['agent']}/messages", json={"body": "hola"},
                        headers={"Accept": "application/json"})
    assert refused.status_code == 400
    sent = user.post(f"/chat/{chat_desk['agent']}/messages", json={"body": "hola"},
                     headers={"X-CSRFToken": user.csrf_token(), "Accept": "application/json"})
    assert sent.status_code == 201 and sent.json["sender_id"] == chat_desk["user"] and sent.json["body"] == "hola"
    with data():
        assert db.session.query(ChatMessage).count() == 1


def test_history_pages_back_and_catches_up(app, chat_desk, data):
    with data():
        ids = [send(chat_desk["user"], chat_desk["agent"], f"mensaje {n}").id for n in range(chat.PAGE_SIZE * 2 + 5)]
        conversation_id = db.session.get(ChatMessage, ids[0]).conversation_id
    agent = signed_in(app, "agent1")
    page = agent.get(f"/chat/{chat_desk['user']}").get_data(as_text=True)
    assert f'data-id="{ids[-1]}"' in page and f'data-id="{ids[-chat.PAGE_SIZE - 1]}"' not in page
    url = f"/chat/{conversation_id}/messages.json"
    latest = agent.get(url).json
    assert [m["id"] for m in latest["messages"]] == ids[-chat.PAGE_SIZE:] and latest["has_more"]
    older = agent.get(f"{url}?before={ids[-chat.PAGE_SIZE]}").json
    assert [m["id"] for m in older["messages"]] == ids[-2 * chat.PAGE_SIZE:-chat.PAGE_SIZE] and older["has_more"]
    oldest = agent.get(f"{url}?before={ids[5]}").json
    assert [m["id"] for m in oldest["messages"]] == ids[:5] and not oldest["has_more"]
    missed = agent.get(f"{url}?after={ids[-3]}").json
    assert [m["body"] for m in missed["messages"]] == [f"mensaje {n}" for n in range(chat.PAGE_SIZE * 2 + 3,
                                                                                     chat.PAGE_SIZE * 2 + 5)]
    assert not missed["has_more"] and missed["messages"][0]["sender_name"] == "User Uno"
    assert agent.get(f"{url}?after={ids[-1]}").json["messages"] == []
    assert agent.get(f"{url}?before=99999999999").status_code == 400


def test_a_page_of_history_is_one_query(app, chat_desk, data):
    with data():
        for n in range(chat.PAGE_SIZE + 3):
            send(chat_desk["user"], chat_desk["agent"], f"m{n}")
        conversation_id = db.session.query(Conversation.id).scalar()
        conversation = chat.conversation_for(db.session.get(User, chat_desk["agent"]), conversation_id)
        with statements_on(db.engine) as statements:
            messages, has_more = chat.history(conversation, before=10 ** 6)
    assert len(messages) == chat.PAGE_SIZE and has_more and len(statements) == 1


# --- unread and read -----------------------------------------------------------------------------


def test_unread_counts_per_conversation_and_in_the_navigation_bar(app, chat_desk, data):
    with data():
        for n in range(3):
            send(chat_desk["agent"], chat_desk["user"], f"agente {n}")
        send(chat_desk["admin"], chat_desk["user"], "admin")
        user_row = db.session.get(User, chat_desk["user"])
        counts = chat.unread_counts(user_row)
        assert sorted(counts.values()) == [1, 3] and chat.unread_total(user_row) == 4
        assert chat.unread_total(db.session.get(User, chat_desk["agent"])) == 0  # one's own messages are not unread
    user = signed_in(app, "user1")
    assert nav_count(user.get("/tickets").get_data(as_text=True)) == "4"
    listing = user.get("/chat").get_data(as_text=True)
    row_counts = re.findall(r'chat-row-unread"\s*>(\d+)<', listing)
    assert sorted(row_counts) == ["1", "3"]
    user.get(f"/chat/{chat_desk['agent']}")  # opening the conversation reads it
    with data():
        assert chat.unread_total(db.session.get(User, chat_desk["user"])) == 1
    assert nav_count(user.get("/tickets").get_data(as_text=True)) == "1"


def nav_count(page):
    return re.search(r'id="chat-unread"[^>]*>(\d+)<', page).group(1)


def test_read_state_reaches_the_sender_live(app, chat_desk, data):
    agent_http, user_http = signed_in(app, "agent1"), signed_in(app, "user1")
    agent, user = connect(app, agent_http), connect(app, user_http)
    with data():
        first = send(chat_desk["agent"], chat_desk["user"], "uno")
        second = send(chat_desk["agent"], chat_desk["user"], "dos")
    assert [e["total"] for e in events(user, "chat:unread")] == [1, 2]
    events(agent)
    assert user.emit("chat:read", {"conversation_id": first.conversation_id, "up_to_id": first.id},
                     callback=True) == {"ok": True, "read": 1}
    received = agent.get_received()
    (read,) = [e["args"][0] for e in received if e["name"] == "chat:read"]
    assert read["reader_id"] == chat_desk["user"] and read["up_to_id"] == first.id
    assert not [e for e in received if e["name"] == "chat:unread"]  # the sender's own counts did not change
    assert [e["total"] for e in events(user, "chat:unread")] == [1]
    with data():
        assert db.session.get(ChatMessage, first.id).read_at is not None
        assert db.session.get(ChatMessage, second.id).read_at is None
    answer = agent_http.get(f"/chat/{first.conversation_id}/messages.json").json
    assert answer["read_up_to"] == first.id


def test_a_socket_gets_the_unread_total_when_it_connects(app, chat_desk, data):
    with data():
        send(chat_desk["agent"], chat_desk["user"], "mientras no estabas")
    socket = socketio.test_client(app, flask_test_client=signed_in(app, "user1"))
    assert {"conversation_id": None, "unread": None, "total": 1} in events(socket, "chat:unread")


# --- over the socket -----------------------------------------------------------------------------


def test_a_message_sent_over_the_socket_reaches_both_people_and_no_one_else(app, chat_desk, data):
    user_http = signed_in(app, "user1")
    user, user_tab = connect(app, user_http), connect(app, user_http)
    agent, staff = connect(app, signed_in(app, "agent1")), connect(app, signed_in(app, "staff1"))
    answer = user.emit("chat:send", {"to_user_id": chat_desk["agent"], "body": "¿Hay alguien?"}, callback=True)
    assert answer["body"] == "¿Hay alguien?" and answer["sender_id"] == chat_desk["user"] and answer["id"]
    for socket in (agent, user, user_tab):
        (message,) = events(socket, "chat:message")
        assert message["id"] == answer["id"] and message["recipient_id"] == chat_desk["agent"]
        assert message["sender_name"] == "User Uno"
    assert events(staff) == []
    again = agent.emit("chat:send", {"conversation_id": answer["conversation_id"], "body": "Sí"}, callback=True)
    assert again["conversation_id"] == answer["conversation_id"]


def test_the_socket_refuses_people_one_may_not_chat_with(app, chat_desk, data):
    user, staff = connect(app, signed_in(app, "user1")), connect(app, signed_in(app, "staff1"))
    answer = user.emit("chat:send", {"to_user_id": chat_desk["staff"], "body": "hola"}, callback=True)
    assert answer["status"] == 404 and answer["error"]
    (error,) = events(user, "error_event")
    assert error["event"] == "chat:send"
    assert events(staff) == []
    with data():
        conversation_id = send(chat_desk["agent"], chat_desk["admin"], "entre staff").conversation_id
    for name, payload in (("chat:send", {"conversation_id": conversation_id, "body": "me cuelo"}),
                          ("chat:typing", {"conversation_id": conversation_id}),
                          ("chat:read", {"conversation_id": conversation_id})):
        assert user.emit(name, payload, callback=True)["status"] == 404, name
    with data():
        assert db.session.query(ChatMessage).count() == 1
        assert db.session.query(ChatMessage).one().read_at is None


def test_typing_reaches_only_the_other_person(app, chat_desk, data):
    with data():
        conversation_id = send(chat_desk["user"], chat_desk["agent"], "hola").conversation_id
    user_http = signed_in(app, "user1")
    user, user_tab = connect(app, user_http), connect(app, user_http)
    agent, admin = connect(app, signed_in(app, "agent1")), connect(app, signed_in(app, "admin1"))
    assert user.emit("chat:typing", {"conversation_id": conversation_id}, callback=True) == {"ok": True}
    assert events(agent, "chat:typing") == [{"conversation_id": conversation_id, "user_id": chat_desk["user"]}]
    assert events(user) == [] and events(user_tab) == [] and events(admin) == []


def test_script_never_comes_back(app, chat_desk, data):
    evil = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))\x00\u202e"
    user = signed_in(app, "user1")
    sent = user.post(f"/chat/{chat_desk['agent']}/messages", json={"body": evil},
                     headers={"X-CSRFToken": user.csrf_token(), "Accept": "application/json"})
    assert sent.status_code == 201 and sent.mimetype == "application/json"
    assert "\x00" not in sent.json["body"] and "\u202e" not in sent.json["body"]  # control characters are dropped
    for client, url in ((signed_in(app, "agent1"), f"/chat/{chat_desk['user']}"), (user, f"/chat/{chat_desk['agent']}"),
                        (user, "/chat")):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url  # shown as the text it is


@pytest.mark.parametrize("event, payload, message", [
    ("chat:send", "hola", "JSON object"),
    ("chat:send", ["hola"], "JSON object"),
    ("chat:send", {"body": "sin destinatario"}, "invalid payload"),
    ("chat:send", {"to_user_id": 1, "conversation_id": 1, "body": "dos destinos"}, "invalid payload"),
    ("chat:send", {"to_user_id": "1", "body": "texto"}, "invalid payload"),
    ("chat:send", {"to_user_id": 1, "body": 5}, "invalid payload"),
    ("chat:send", {"to_user_id": 1, "body": "x", "admin": True}, "invalid payload"),
    ("chat:send", {"to_user_id": 1, "body": "€" * (chat.MAX_LENGTH * 2)}, "larger than"),
    ("chat:typing", {}, "invalid payload"),
    ("chat:typing", {"conversation_id": -1}, "invalid payload"),
    ("chat:read", {"conversation_id": 1, "up_to_id": "all"}, "invalid payload"),
    ("presence:watch", {"user_ids": "all"}, "invalid payload"),
    ("presence:watch", {"user_ids": list(range(1, live.WATCH_MAX + 2))}, "invalid payload"),
    ("presence:ping", 7, "JSON object"),
])
def test_malformed_or_oversize_payloads_get_an_error_event(app, chat_desk, event, payload, message):
    socket = connect(app, signed_in(app, "user1"))
    answer = socket.emit(event, payload, callback=True)
    (error,) = events(socket, "error_event")
    assert error["event"] == event and message in error["message"] and answer["error"] == error["message"]
    assert socket.is_connected()


def test_an_overlong_message_over_the_socket_is_refused(app, chat_desk, data):
    socket = connect(app, signed_in(app, "user1"))
    answer = socket.emit("chat:send", {"to_user_id": chat_desk["agent"], "body": "x" * (chat.MAX_LENGTH + 1)},
                         callback=True)
    assert answer["status"] == 400 and events(socket, "error_event")
    with data():
        assert db.session.query(ChatMessage).count() == 0


def test_a_typing_flood_is_dropped_with_one_error(app, chat_desk, data, monkeypatch):
    with data():
        conversation_id = send(chat_desk["user"], chat_desk["agent"], "hola").conversation_id
    user, agent = connect(app, signed_in(app, "user1")), connect(app, signed_in(app, "agent1"))
    monkeypatch.setattr(guard, "clock", lambda: 5000.0)  # no refill during the flood
    for _ in range(guard.BURST + 10):
        user.emit("chat:typing", {"conversation_id": conversation_id})
    assert [e["message"] for e in events(user, "error_event")] == ["too many events; slow down"]
    assert len(events(agent, "chat:typing")) == guard.BURST
    assert user.is_connected()


# --- PostgreSQL ----------------------------------------------------------------------------------


@pytest.mark.postgres
def test_first_messages_sent_at_once_share_one_conversation(pg_clean):
    with pg_clean.app_context():
        people = make_people()

    def first_message(index):
        sender, recipient = (people["admin"], people["agent"]) if index % 2 else (people["agent"], people["admin"])
        return send(sender, recipient, f"hola {index}").conversation_id

    conversation_ids = run_in_threads(pg_clean, 8, first_message)
    assert len(set(conversation_ids)) == 1
    with pg_clean.app_context():
        assert db.session.query(Conversation).count() == 1
        assert chat.unread_total(db.session.get(User, people["admin"])) == 4
        assert chat.unread_total(db.session.get(User, people["agent"])) == 4
