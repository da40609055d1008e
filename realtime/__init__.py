"""Socket.IO: namespaces, rooms, join checks and the emit helpers the rest of the app calls
(see realtime.core for the map of namespaces)."""
from extensions import socketio
from realtime.core import (after_commit, browser_room, end_browser_session, end_user_sessions, on_connect,
                           on_disconnect, user_room)
from realtime.queue import (DISPLAY, DISPLAY_ALL, QUEUE, QUEUE_ADMIN, display_room, emit_call, emit_line_changed,
                            requested_prefixes, service_room)

__all__ = ["after_commit", "DISPLAY", "DISPLAY_ALL", "QUEUE", "QUEUE_ADMIN", "browser_room", "display_room",
           "emit_call", "emit_line_changed", "end_browser_session", "end_user_sessions", "requested_prefixes",
           "service_room", "user_room"]


def init_app(app):
    from realtime import chat, helpdesk, queue

    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    queue.init_app(app)
    helpdesk.init_app(app)
    chat.init_app(app)
