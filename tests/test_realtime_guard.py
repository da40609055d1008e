"""The plumbing every live feature stands on: emits that follow commits, and the guard on
events browsers send."""
import pytest
from marshmallow import Schema, fields

from extensions import after_commit, db, socketio
from realtime import guard
from realtime.core import user_room


def test_after_commit_runs_on_commit_and_never_after_a_rollback(app_context):
    heard = []
    after_commit(heard.append, "rolled back")
    db.session.rollback()
    after_commit(heard.append, "committed")
    db.session.commit()
    db.session.commit()
    assert heard == ["committed"]


class EchoSchema(Schema):
    text = fields.String(required=True, validate=lambda value: len(value) <= 20)


@pytest.fixture
def echo_client(app, client_as):
    """A test-only event on "/" that echoes what passed the guard."""
    @guard.client_event("test_echo", EchoSchema(), max_bytes=200)
    def echo(data):
        if data["text"] == "boom":
            raise RuntimeError("handler bug")
        socketio.emit("echoed", data, to=user_room(0))
        return {"ok": True, "text": data["text"]}

    socketio.on_event("test_echo", echo)
    client = client_as("user")
    socket = socketio.test_client(app, flask_test_client=client)
    yield socket
    if socket.is_connected():
        socket.disconnect()
    socketio.server.handlers["/"].pop("test_echo", None)


def errors(socket):
    return [event["args"][0] for event in socket.get_received() if event["name"] == "error_event"]


def test_a_valid_event_reaches_its_handler(echo_client):
    assert echo_client.emit("test_echo", {"text": "hola"}, callback=True) == {"ok": True, "text": "hola"}


@pytest.mark.parametrize("payload, message", [
    ("just a string", "JSON object"), ([1, 2], "JSON object"), ({"text": 5}, "invalid payload"),
    ({}, "invalid payload"), ({"text": "x" * 300}, "larger than 200 bytes"),
])
def test_malformed_or_oversize_payloads_get_an_error_event(echo_client, payload, message):
    answer = echo_client.emit("test_echo", payload, callback=True)
    (error,) = errors(echo_client)
    assert answer == {"error": error["message"]}
    assert error["event"] == "test_echo" and message in error["message"]


def test_a_failing_handler_answers_with_an_error_and_the_connection_stays(echo_client):
    echo_client.emit("test_echo", {"text": "boom"})
    assert "could not handle" in errors(echo_client)[0]["message"]
    assert echo_client.is_connected()
    assert echo_client.emit("test_echo", {"text": "sigo"}, callback=True)["ok"]


def test_a_flood_is_dropped_with_one_error_then_disconnected(echo_client, monkeypatch):
    monkeypatch.setattr(guard, "clock", lambda: 1000.0)  # a frozen clock: no refill during the flood
    answers = [echo_client.emit("test_echo", {"text": "x"}, callback=True) for _ in range(guard.BURST + 5)]
    assert answers[:guard.BURST] == [{"ok": True, "text": "x"}] * guard.BURST
    assert answers[guard.BURST:] == [{"error": "too many events; slow down"}] * 5
    assert [e["message"] for e in errors(echo_client)] == ["too many events; slow down"]
    sent = 0
    while echo_client.is_connected() and sent < 2 * guard.DISCONNECT_AFTER:
        echo_client.emit("test_echo", {"text": "x"})
        sent += 1
    assert not echo_client.is_connected()
    assert sent == guard.DISCONNECT_AFTER - 5  # the flood's first 5 were dropped above
