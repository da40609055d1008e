"""What every event a browser sends over Socket.IO goes through before its handler runs.

- The payload must be a JSON object no larger than `max_bytes`, and pass its marshmallow
  schema; otherwise the sender gets `error_event` naming the problem and the handler never runs.
- Each connection has a budget of events (a token bucket): a flood is answered with one
  `error_event` and dropped; a connection that keeps flooding is disconnected.
- A handler that fails answers with a generic `error_event` and is logged; it never takes the
  connection or the server down.

Connections live in one process, so the buckets are that process's memory.
"""
import json
import logging
import time
from functools import wraps

from flask import request
from flask_socketio import disconnect, emit
from marshmallow import ValidationError

log = logging.getLogger(__name__)

RATE = 10.0  # events per second, sustained
BURST = 30  # events at once
DISCONNECT_AFTER = 100  # dropped events before the connection is closed
DEFAULT_MAX_BYTES = 8 * 1024

_buckets = {}  # sid -> [tokens, last refill, dropped]
clock = time.monotonic


def refuse(event, message, fields=None):
    """Tell the sender (only) that its event was not taken; also the acknowledgement's answer."""
    body = {"event": event, "message": message}
    if fields:
        body["fields"] = fields
    emit("error_event", body)
    return {"error": message}


def allow(sid, now=None):
    """Take one token from this connection's bucket; False when it is empty (a flood)."""
    now = clock() if now is None else now
    tokens, last, dropped = _buckets.get(sid, (BURST, now, 0))
    tokens = min(BURST, tokens + (now - last) * RATE)
    if tokens < 1:
        _buckets[sid] = [tokens, now, dropped + 1]
        return False
    _buckets[sid] = [tokens - 1, now, dropped]
    return True


def dropped(sid):
    return _buckets.get(sid, (0, 0, 0))[2]


def forget(sid):
    """The connection closed: its budget goes with it."""
    _buckets.pop(sid, None)


def client_event(name, schema=None, max_bytes=DEFAULT_MAX_BYTES):
    """Decorate a Socket.IO event handler taking (data) with the checks above; `data` reaches the
    handler as the schema loaded it ({} without a schema)."""

    def decorator(handler):
        @wraps(handler)
        def wrapped(payload=None, *_ignored):
            sid = request.sid
            if not allow(sid):
                if dropped(sid) >= DISCONNECT_AFTER:
                    log.warning("socket %s disconnected for flooding", sid)
                    disconnect()
                if dropped(sid) == 1:  # one warning per flood, not one per dropped event
                    return refuse(name, "too many events; slow down")
                return {"error": "too many events; slow down"}
            payload = {} if payload is None else payload
            if not isinstance(payload, dict):
                return refuse(name, "the payload must be a JSON object")
            try:
                size = len(json.dumps(payload, ensure_ascii=False).encode())
            except (TypeError, ValueError):
                return refuse(name, "the payload must be JSON")
            if size > max_bytes:
                return refuse(name, f"the payload is larger than {max_bytes} bytes")
            try:
                data = schema.load(payload) if schema is not None else {}
            except ValidationError as error:
                return refuse(name, "invalid payload",
                              {field: " ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
                               for field, messages in error.normalized_messages().items()})
            try:
                return handler(data)
            except Exception:  # a bug or a database hiccup must not end the connection
                log.exception("socket event %s failed", name)
                return refuse(name, "the server could not handle this event")

        return wrapped

    return decorator
