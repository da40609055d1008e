"""Socket.IO: connection authentication, rooms, and the emit helpers the rest of the app calls.

A socket is authenticated once, at connect, from the Flask-Login session, and joins
`user:<id>` so the server can reach (and end) every connection of one person.
"""
from flask_login import current_user
from flask_socketio import join_room

from extensions import socketio


def user_room(user_id):
    return f"user:{user_id}"


def init_app(app):
    socketio.on_event("connect", on_connect)


def on_connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("unauthorized")
    join_room(user_room(current_user.id))


def end_user_sessions(user_id):
    """Tell every open page of this user that the session ended, and close local sockets.

    The event reaches other server processes through the message queue; their pages then
    close their own connection.
    """
    room = user_room(user_id)
    socketio.emit("session_ended", {}, to=room)
    server = socketio.server
    if server is None:
        return
    for sid, _eio_sid in list(server.manager.get_participants("/", room)):
        server.disconnect(sid, namespace="/")
