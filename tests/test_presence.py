"""Presence lives in the database: several tabs, disconnects, other processes and stale rows of
dead ones; `presence` events reach contacts only; last seen for people who are away."""
from datetime import timedelta

import pytest

from extensions import db, socketio
from models import SocketConnection, User
from realtime import chat as live
from services.messaging import presence
from services.timeutil import utcnow
from tests.support.sockets import connect, events, signed_in

pytestmark = pytest.mark.usefixtures("instant_presence")  # tests/support/chat.py


def rows(user_id):
    return db.session.query(SocketConnection).filter_by(user_id=user_id).all()


def watcher(app, username, *user_ids):
    """A socket that watches these people's presence, as the chat pages do; returns (socket, answer)."""
    socket = connect(app, signed_in(app, username))
    answer = socket.emit("presence:watch", {"user_ids": list(user_ids)}, callback=True)
    return socket, answer


def test_a_connection_is_a_row_until_it_closes(app, chat_desk, data):
    socket = connect(app, signed_in(app, "user1"))
    with data():
        (row,) = rows(chat_desk["user"])
        assert row.process == presence.process_id() and ":" in row.process
        assert presence.is_online(chat_desk["user"])
    socket.disconnect()
    with data():
        assert rows(chat_desk["user"]) == []
        assert not presence.is_online(chat_desk["user"])
        assert db.session.get(User, chat_desk["user"]).last_seen_at is not None


def test_two_tabs_closing_one_keeps_the_person_online(app, chat_desk, data):
    agent, answer = watcher(app, "agent1", chat_desk["user"])
    assert answer["presence"] == [{"user_id": chat_desk["user"], "online": False, "last_seen": None}]
    user_http = signed_in(app, "user1")
    first, second = connect(app, user_http), connect(app, user_http)
    assert events(agent, "presence") == [{"user_id": chat_desk["user"], "online": True, "last_seen": None}]  # once
    first.disconnect()
    assert events(agent, "presence") == []
    with data():
        assert presence.is_online(chat_desk["user"])
    second.disconnect()
    (offline,) = events(agent, "presence")
    assert offline["online"] is False and offline["last_seen"].startswith("20")
    with data():
        assert db.session.get(User, chat_desk["user"]).last_seen_at.isoformat() == offline["last_seen"]


def test_presence_reaches_contacts_only(app, chat_desk, data):
    agent, agent_answer = watcher(app, "agent1", chat_desk["user"])
    staff, staff_answer = watcher(app, "staff1", chat_desk["user"])
    assert [p["user_id"] for p in agent_answer["presence"]] == [chat_desk["user"]]
    assert staff_answer == {"presence": [], "refused": [chat_desk["user"]]}  # staff1 may not chat with user1
    connect(app, signed_in(app, "user1"))
    assert [p["online"] for p in events(agent, "presence")] == [True]
    assert events(staff, "presence") == []


def test_a_connection_in_another_process_counts_and_a_stale_one_does_not(app, chat_desk, data):
    now = utcnow()
    with data():
        db.session.add_all([
            SocketConnection(sid="other-live", user_id=chat_desk["user"], process="web-2:4242", seen_at=now),
            SocketConnection(sid="dead-proc", user_id=chat_desk["agent"], process="web-3:99",
                             seen_at=now - timedelta(seconds=presence.ONLINE_SECONDS + 30)),
        ])
        db.session.commit()
        assert presence.online_ids([chat_desk["user"], chat_desk["agent"]]) == {chat_desk["user"]}
    admin, answer = watcher(app, "admin1", chat_desk["user"], chat_desk["agent"])
    assert {p["user_id"]: p["online"] for p in answer["presence"]} == {chat_desk["user"]: True,
                                                                       chat_desk["agent"]: False}
    page = signed_in(app, "agent1").get(f"/chat/{chat_desk['user']}").get_data(as_text=True)
    assert 'data-online="true"' in page
    # user1 also opens a tab here and closes it: their tab in the other process keeps them online.
    local = connect(app, signed_in(app, "user1"))
    local.disconnect()
    assert [p for p in events(admin, "presence") if not p["online"]] == []


def test_stale_rows_are_purged_and_their_people_were_last_seen_at_their_last_heartbeat(app, chat_desk, data):
    now = utcnow()
    last_beat = now - timedelta(seconds=presence.ONLINE_SECONDS + 5)
    with data():
        db.session.add_all([
            SocketConnection(sid="dead-1", user_id=chat_desk["agent"], process="web-3:99", seen_at=last_beat),
            SocketConnection(sid="dead-2", user_id=chat_desk["user"], process="web-3:99", seen_at=last_beat),
            SocketConnection(sid="alive", user_id=chat_desk["user"], process="web-2:7", seen_at=now),
        ])
        db.session.commit()
    admin, _ = watcher(app, "admin1", chat_desk["user"], chat_desk["agent"])
    with data():
        assert presence.purge_stale(now) == 2
        assert {r.sid for r in db.session.query(SocketConnection)} >= {"alive"}
        assert db.session.get(SocketConnection, "dead-1") is None
        assert db.session.get(User, chat_desk["agent"]).last_seen_at == last_beat
        assert db.session.get(User, chat_desk["user"]).last_seen_at is None  # still online through "alive"
    assert events(admin, "presence") == [{"user_id": chat_desk["agent"], "online": False,
                                          "last_seen": last_beat.isoformat()}]


def test_the_heartbeat_keeps_a_connection_fresh_and_brings_back_a_purged_one(app, chat_desk, data):
    socket = connect(app, signed_in(app, "user1"))
    with data():
        (row,) = rows(chat_desk["user"])
        sid = row.sid
        long_ago = utcnow() - timedelta(seconds=presence.ONLINE_SECONDS + 1)
        db.session.query(SocketConnection).update({"seen_at": long_ago})
        db.session.commit()
        assert not presence.is_online(chat_desk["user"])
    assert socket.emit("presence:ping", {}, callback=True) == {"ok": True}
    with data():
        assert presence.is_online(chat_desk["user"])
        db.session.query(SocketConnection).delete()
        db.session.commit()
    socket.emit("presence:ping", {}, callback=True)
    with data():
        assert [r.sid for r in rows(chat_desk["user"])] == [sid]


def test_the_chat_pages_show_online_and_last_seen(app, chat_desk, data):
    agent = signed_in(app, "agent1")
    with data():
        db.session.get(User, chat_desk["user"]).last_seen_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    page = agent.get(f"/chat/{chat_desk['user']}").get_data(as_text=True)
    assert 'data-online="false"' in page and "presence-dot offline" in page
    connect(app, signed_in(app, "user1"))
    page = agent.get(f"/chat/{chat_desk['user']}").get_data(as_text=True)
    assert 'data-online="true"' in page and "presence-dot online" in page
    # staff1 is no contact of user1's: no dot, and no page either.
    assert signed_in(app, "staff1").get(f"/chat/{chat_desk['user']}").status_code == 404


def test_leaving_for_another_page_does_not_blink_offline(app, chat_desk, data, monkeypatch, background_tasks):
    monkeypatch.setitem(app.config, "PRESENCE_OFFLINE_GRACE_SECONDS", 60)  # it ends when the test says so
    agent, _ = watcher(app, "agent1", chat_desk["user"])
    user_http = signed_in(app, "user1")
    first = connect(app, user_http)
    events(agent)
    first.disconnect()
    connect(app, user_http)  # the next page's socket, within the grace
    background_tasks.finish()  # the grace ends, and the check after it has run
    assert [p["online"] for p in events(agent, "presence")] == [True]  # and no "offline" before it


def test_gone_for_good_is_announced_after_the_grace(app, chat_desk, data, monkeypatch, background_tasks):
    monkeypatch.setitem(app.config, "PRESENCE_OFFLINE_GRACE_SECONDS", 60)  # it ends when the test says so
    agent, _ = watcher(app, "agent1", chat_desk["user"])
    user = connect(app, signed_in(app, "user1"))
    events(agent)
    user.disconnect()
    assert events(agent, "presence") == []
    background_tasks.finish()  # the grace ends, and the announcement after it has run
    assert [p["online"] for p in events(agent, "presence")] == [False]


def test_a_socket_that_closed_while_connecting_does_not_stay_online(app, chat_desk, data, monkeypatch,
                                                                    background_tasks):
    """Socket.IO skips `disconnect` for a page closed during its connect; shortly after each
    connect, a row whose transport is gone is removed and the person announced offline."""
    monkeypatch.setattr(live, "CONFIRM_AFTER_SECONDS", 0.3)
    agent, _ = watcher(app, "agent1", chat_desk["user"])
    user_http = signed_in(app, "user1")
    alive, orphan = connect(app, user_http), connect(app, user_http)
    del socketio.server.environ[orphan.eio_sid]  # its transport closed; no disconnect handler will run
    alive_sid = socketio.server.manager.sid_from_eio_sid(alive.eio_sid, "/")
    background_tasks.join(live._confirm_connection)  # the check after each connect has run
    with data():
        assert [r.sid for r in rows(chat_desk["user"])] == [alive_sid]
    alive.disconnect()
    assert [p["online"] for p in events(agent, "presence")] == [True, False]
