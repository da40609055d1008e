"""Socket.IO core: connection checks for signed-in people, their personal rooms, ending
sessions, and the guard every client event handler goes through.

Namespaces (each in its own module):
- `/`         signed-in people (core, helpdesk, notifications, chat, presence); each joins
              `user:<id>` and `browser:<id>` so the server can reach (and end) them.
- `/display`  public call screens and queue-ticket status pages (realtime.queue).
- `/queue`    counter panels and the queue dashboard (realtime.queue).
- `/track`    the helpdesk tracking page of someone without an account (realtime.helpdesk).

Event names and payloads are defined in these modules once. Services never call them: each
module subscribes to the signals of events.py that its pages must hear of (`subscribe`), and
queues its emits until the change is committed (extensions.after_commit).
"""
import logging

from flask import request, session
from flask_login import current_user
from flask_socketio import join_room
from sqlalchemy import select

import events
from extensions import db, socketio
from models import SocketConnection
from realtime.guard import forget
from web.security import session_allows_sockets

log = logging.getLogger(__name__)


def user_room(user_id):
    return f"user:{user_id}"


def browser_room(browser_id):
    """Every socket of one signed-in browser session (one kiosk, one counter PC)."""
    return f"browser:{browser_id}"


def join_personal_rooms():
    """Refuse a socket without a live session; else join the rooms that can end it."""
    if not session_allows_sockets():
        raise ConnectionRefusedError("unauthorized")
    join_room(user_room(current_user.id))
    if session.get("browser_id"):
        join_room(browser_room(session["browser_id"]))


# Other modules add what they do when a signed-in socket on "/" opens or closes (presence,
# helpdesk rooms ...): Socket.IO takes one handler per event.
connect_hooks = []
disconnect_hooks = []


def on_connect(auth=None):
    join_personal_rooms()
    for hook in connect_hooks:
        hook()


def on_disconnect(reason=None):
    forget(request.sid)
    for hook in disconnect_hooks:
        try:
            hook()
        except Exception:  # one failing hook must not keep the others from running
            log.exception("socket disconnect hook %s failed", hook.__name__)


def subscribe():
    events.sessions_ended.connect(end_user_sessions, weak=False)
    events.browser_signed_out.connect(end_browser_session, weak=False)


def end_user_sessions(user_id):
    """Every session of this user ended (deactivated, password reset, deleted), or their rights
    changed: their pages reload, which also puts their sockets in the rooms they now may join.
    Their sockets in other processes are closed by those processes, through the message queue."""
    _end_sockets(user_room(user_id))
    server = socketio.server
    if server is not None:
        for sid in db.session.scalars(select(SocketConnection.sid).where(SocketConnection.user_id == user_id)):
            server.disconnect(sid, namespace="/")


def end_browser_session(browser_id):
    """One browser signed out: only its own sockets close, other devices stay signed in."""
    if browser_id:
        _end_sockets(browser_room(browser_id))


# Namespaces whose sockets belong to a signed-in session (the others are public).
SIGNED_IN_NAMESPACES = ("/", "/queue")


def _end_sockets(room):
    """Close this process's sockets in `room`; pages connected to other processes get
    `session_ended` through the message queue and reload, which leads them to the login."""
    server = socketio.server
    for namespace in SIGNED_IN_NAMESPACES:
        socketio.emit("session_ended", {}, namespace=namespace, to=room)
        if server is None:
            continue
        for sid, _eio_sid in list(server.manager.get_participants(namespace, room)):
            server.disconnect(sid, namespace=namespace)
