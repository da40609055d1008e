"""The walk-in queue's sockets.

- `/display`: public call screens and status pages. `state` on connect (the whole screen), then
  `call` (a ticket called), `waiting` (the counts), `withdrawn` {ticket} (a called ticket went back
  to a line: screens stop showing it) and `counters` {counters} (every active counter's state,
  with the prefixes it calls: each screen shows those of its own services). `?screen=<slug>` is a
  named screen (its services and number of earlier calls); `?services=A,B` limits a screen to
  those services.
- `/queue`: counter panels and the queue dashboard. `line_changed` when a line moves,
  `counter_changed` {counter_id} to that counter's panels when it opens, pauses or closes.
"""
from flask import request
from flask_login import current_user
from flask_socketio import emit, join_room

import events
from extensions import socketio
from models import Role
from realtime.core import join_personal_rooms
from services.queue.display import active_services, all_waiting_counts, call_payload, counters_payload, display_state
from services.queue.setup import active_screen, screen_prefixes

DISPLAY = "/display"
QUEUE = "/queue"
DISPLAY_ALL = "display:all"
QUEUE_ADMIN = "queue:admin"
QUEUE_ROLES = (Role.ADMIN, Role.STAFF)


def display_room(prefix):
    return f"display:{prefix.upper()}"


def service_room(service_id):
    return f"queue:service:{service_id}"


def counter_room(counter_id):
    return f"queue:counter:{counter_id}"


def requested_prefixes():
    """`?services=A,B` of a call screen (page or socket): valid prefixes only, upper-case."""
    raw = request.args.get("services", "")
    return [p.strip().upper() for p in raw.split(",") if p.strip().isalpha() and len(p.strip()) <= 3][:20]


def on_display_connect(auth=None):
    """Anyone may watch: the screen is public. It gets the whole state at once."""
    screen = active_screen(request.args.get("screen", "")[:60])
    prefixes = screen_prefixes(screen) if screen else requested_prefixes()
    for room in [display_room(p) for p in prefixes] or [DISPLAY_ALL]:
        join_room(room)
    emit("state", display_state(prefixes or None, recent_count=screen.recent_count if screen else None))


def on_queue_connect(auth=None):
    join_personal_rooms()
    if current_user.role not in QUEUE_ROLES:
        raise ConnectionRefusedError("unauthorized")
    if current_user.role == Role.ADMIN:
        join_room(QUEUE_ADMIN)
    counter = current_user.counter
    if counter is not None:
        join_room(counter_room(counter.id))
        for link in counter.service_links:
            join_room(service_room(link.service_id))


def subscribe():
    """The line's signals come after their commit, so the counts read here are what was committed."""
    events.queue_ticket_called.connect(on_ticket_called, weak=False)
    events.queue_line_changed.connect(on_line_changed, weak=False)
    events.queue_ticket_withdrawn.connect(on_ticket_withdrawn, weak=False)
    events.counter_state_changed.connect(on_counter_state_changed, weak=False)


def on_ticket_called(ticket, recall):
    """A call goes to the screens with the new waiting counts: one message per screen, not two."""
    waiting = all_waiting_counts()
    emit_call(call_payload(ticket, recall) | {"waiting": waiting})
    emit_line_changed([ticket.service_id], waiting=None)


def on_line_changed(service_ids):
    """Counter panels and dashboards refresh; screens get the new waiting counts."""
    emit_line_changed(service_ids, all_waiting_counts())


def on_ticket_withdrawn(ticket):
    socketio.emit("withdrawn", {"ticket": ticket.code}, namespace=DISPLAY)  # every screen and status page


def on_counter_state_changed(counter):
    """Screens get every counter (each shows those of its services); the counter's panels refresh."""
    socketio.emit("counters", {"counters": counters_payload(active_services())}, namespace=DISPLAY)
    socketio.emit("counter_changed", {"counter_id": counter.id}, namespace=QUEUE,
                  to=[counter_room(counter.id), QUEUE_ADMIN])


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
