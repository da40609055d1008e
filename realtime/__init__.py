"""Socket.IO: namespaces, rooms, join checks, and the emits that tell pages what changed (see
realtime.core for the map of namespaces). Each module subscribes to the signals of events.py its
pages must hear of; nothing else calls into this package."""
from extensions import socketio
from realtime import chat, core, helpdesk, notifications, queue


def init_app(app):
    socketio.on_event("connect", core.on_connect)
    socketio.on_event("disconnect", core.on_disconnect)
    for module in (core, queue, helpdesk, notifications, chat):
        module.subscribe()
    queue.init_app(app)
    helpdesk.init_app(app)
    chat.init_app(app)
