"""The walk-in queue's sockets: `/display` (public call screens and status pages: `state` on
connect, then `call` and `waiting`; `?services=A,B` limits a screen to those services) and
`/queue` (counter panels and the queue dashboard: `line_changed` when a line moves)."""
from flask import request
from flask_login import current_user
from flask_socketio import emit, join_room

import events
from extensions import socketio
from models import Role
from realtime.core import join_personal_rooms
from services.queue.display import all_waiting_counts, call_payload, display_state

DISPLAY = "/display"
QUEUE = "/queue"
DISPLAY_ALL = "display:all"
QUEUE_ADMIN = "queue:admin"
QUEUE_ROLES = (Role.ADMIN, Role.STAFF)


def display_room(prefix):
    return f"display:{prefix.upper()}"


def service_room(service_id):
    return f"queue:service:{service_id}"


def requested_prefixes():
    """`?services=A,B` of a call screen (page or socket): valid prefixes only, upper-case."""
    raw = request.args.get("services", "")
    return [p.strip().upper() for p in raw.split(",") if p.strip().isalpha() and len(p.strip()) <= 3][:20]


def on_display_connect(auth=None):
    """Anyone may watch: the screen is public. It gets the whole state at once."""
    prefixes = requested_prefixes()
    for room in [display_room(p) for p in prefixes] or [DISPLAY_ALL]:
        join_room(room)
    emit("state", display_state(prefixes or None))


def on_queue_connect(auth=None):
    join_personal_rooms()
    if current_user.role not in QUEUE_ROLES:
        raise ConnectionRefusedError("unauthorized")
    if current_user.role == Role.ADMIN:
        join_room(QUEUE_ADMIN)
    counter = current_user.counter
    if counter is not None:
        for link in counter.service_links:
            join_room(service_room(link.service_id))


def subscribe():
    """The line's signals come after their commit, so the counts read here are what was committed."""
    events.queue_ticket_called.connect(on_ticket_called, weak=False)
    events.queue_line_changed.connect(on_line_changed, weak=False)


def on_ticket_called(ticket, recall):
    """A call goes to the screens with the new waiting counts: one message per screen, not two."""
    waiting = all_waiting_counts()
    emit_call(call_payload(ticket, recall) | {"waiting": waiting})
    emit_line_changed([ticket.service_id], waiting=None)


def on_line_changed(service_ids):
    """Counter panels and dashboards refresh; screens get the new waiting counts."""
    emit_line_changed(service_ids, all_waiting_counts())


def emit_call(payload):
    """A queue ticket called (or recalled) to a counter: screens chime and announce it.
    The payload also carries `waiting`, the counts per service after the call."""
    socketio.emit("call", payload, namespace=DISPLAY, to=[DISPLAY_ALL, display_room(payload["service_prefix"])])


def emit_line_changed(service_ids, waiting):
    """A line moved: panels refetch their lists; screens get the waiting counts (unless the
    `call` that caused it already carried them: `waiting=None`)."""
    rooms = [service_room(service_id) for service_id in set(service_ids)] + [QUEUE_ADMIN]
    socketio.emit("line_changed", {"service_ids": sorted(set(service_ids))}, namespace=QUEUE, to=rooms)
    if waiting is not None:
        socketio.emit("waiting", {"waiting": waiting}, namespace=DISPLAY,
                      to=[DISPLAY_ALL] + [display_room(prefix) for prefix in waiting])


def init_app(app):
    socketio.on_event("connect", on_display_connect, namespace=DISPLAY)
    socketio.on_event("connect", on_queue_connect, namespace=QUEUE)
