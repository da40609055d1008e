"""Private chat and presence on "/". Every event a browser sends goes through the guard (shape,
size, flood budget), then the same rules as the pages (services.messaging.chat).

Browser → server (the acknowledgement's answer after the arrow):
- `chat:send`      {to_user_id | conversation_id, body}  → the message (as `chat:message`) or {error, status}
- `chat:typing`    {conversation_id}                      → {ok}; the other person hears `chat:typing`
- `chat:read`      {conversation_id, up_to_id?}           → {ok, read}
- `presence:ping`  {}  every HEARTBEAT_SECONDS            → {ok}
- `presence:watch` {user_ids: [...]}  the people a page shows → {presence: [...], refused: [...]};
                   joins `presence:<id>` for the ones that are contacts, the others are dropped.

Server → browser:
- `chat:message` {id, conversation_id, sender_id, sender_name, recipient_id, recipient_name, body,
                  created_at, read_at}  to both people's `user:<id>` rooms
- `chat:unread`  {conversation_id, unread, total}  to the person whose counts changed (and on connect)
- `chat:read`    {conversation_id, reader_id, up_to_id, read_at}  to both people
- `chat:typing`  {conversation_id, user_id}  to the other person only
- `presence`     {user_id, online, last_seen}  to `presence:<user_id>`, joined by contacts only
"""
import logging
from functools import wraps

from flask import current_app, request
from flask_login import current_user
from flask_socketio import emit, join_room
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

import events
from extensions import after_commit, db, socketio
from models import MAX_ID
from realtime.core import connect_hooks, disconnect_hooks, user_room
from realtime.guard import DEFAULT_MAX_BYTES, client_event, refuse
from services.errors import DomainError
from services.messaging import chat, presence

log = logging.getLogger(__name__)

SEND_MAX_BYTES = 4 * chat.MAX_LENGTH + 256  # the longest message in 4-byte characters, and its envelope
WATCH_MAX = 200
CONFIRM_AFTER_SECONDS = 2  # when a new connection's row is checked against the live sockets


def presence_room(user_id):
    return f"presence:{user_id}"


def _id(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


class SendSchema(Schema):
    to_user_id = _id()
    conversation_id = _id()
    body = fields.String(required=True, validate=validate.Length(max=chat.MAX_LENGTH * 2))

    @validates_schema
    def one_recipient(self, data, **kwargs):
        if ("to_user_id" in data) == ("conversation_id" in data):
            raise ValidationError("give either to_user_id or conversation_id", "to_user_id")


class ConversationSchema(Schema):
    conversation_id = _id(required=True)


class ReadSchema(ConversationSchema):
    up_to_id = _id()


class WatchSchema(Schema):
    user_ids = fields.List(_id(), required=True, validate=validate.Length(max=WATCH_MAX))


def chat_event(name, schema=None, max_bytes=DEFAULT_MAX_BYTES):
    """The guard, then: a session that ended meanwhile is refused, and a rule the event breaks
    (not allowed, not found, invalid) answers with its message and HTTP-like status."""

    def decorator(handler):
        @client_event(name, schema, max_bytes)
        @wraps(handler)
        def wrapped(data):
            if not current_user.is_authenticated:
                return refuse(name, "sign in again")
            try:
                return handler(data)
            except DomainError as error:
                db.session.rollback()
                return {**refuse(name, str(error)), "status": error.status}

        return wrapped

    return decorator


@chat_event("chat:send", SendSchema(), max_bytes=SEND_MAX_BYTES)
def on_send(data):
    message = chat.send_message(current_user, data["body"], to_user_id=data.get("to_user_id"),
                                conversation_id=data.get("conversation_id"))
    return chat.message_payload(message, {current_user.id: current_user.display_name})


@chat_event("chat:typing", ConversationSchema(), max_bytes=256)
def on_typing(data):
    conversation = chat.conversation_for(current_user, data["conversation_id"])
    other_id = conversation.other(current_user.id).id
    if chat.chat_partner(current_user, other_id) is None:  # no longer a contact: they may read, not write
        return refuse("chat:typing", "you can no longer write to this person")
    socketio.emit("chat:typing", {"conversation_id": conversation.id, "user_id": current_user.id},
                  to=user_room(other_id))
    return {"ok": True}


@chat_event("chat:read", ReadSchema(), max_bytes=256)
def on_read(data):
    conversation = chat.conversation_for(current_user, data["conversation_id"])
    return {"ok": True, "read": chat.mark_read(current_user, conversation, data.get("up_to_id"))}


@chat_event("presence:ping", max_bytes=256)
def on_ping(data):
    presence.heartbeat(request.sid, current_user.id)
    return {"ok": True}


@chat_event("presence:watch", WatchSchema(), max_bytes=4096)
def on_watch(data):
    allowed = chat.contact_ids(current_user, data["user_ids"])
    for user_id in allowed:
        join_room(presence_room(user_id))
    return {"presence": list(presence.presence_of(allowed).values()),
            "refused": sorted(set(data["user_ids"]) - allowed)}


# --- connection hooks (added once, when this module is imported) ---------------------------------


def record_connection():
    """Presence first; then the page gets the unread total it may have missed while away."""
    try:
        presence.connected(request.sid, current_user.id)
        emit("chat:unread", {"conversation_id": None, "unread": None, "total": chat.unread_total(current_user)})
    except Exception:  # presence must never cost someone their connection
        db.session.rollback()
        log.exception("recording socket %s failed", request.sid)
        return
    socketio.start_background_task(_confirm_connection, current_app._get_current_object(), request.sid)


def _confirm_connection(app, sid):
    """A page closed while its socket was still connecting gets no `disconnect` call from
    Socket.IO, which would leave its row counting as online until it goes stale. Shortly after
    each connect, a row whose socket is gone is removed as if it had disconnected."""
    socketio.sleep(CONFIRM_AFTER_SECONDS)
    server = socketio.server
    eio_sid = server.manager.eio_sid_from_sid(sid, "/")
    if eio_sid is not None and eio_sid in server.environ:  # Socket.IO forgets it when the transport closes
        return
    with app.app_context():
        try:
            presence.disconnected(sid)
        except Exception:
            log.exception("removing the row of socket %s failed", sid)


def forget_connection():
    presence.disconnected(request.sid)


connect_hooks.append(record_connection)
disconnect_hooks.append(forget_connection)


# --- emits, after the commit of what they tell ------------------------------------------------------


def subscribe():
    events.chat_message_sent.connect(on_message_sent, weak=False)
    events.chat_messages_read.connect(on_messages_read, weak=False)
    events.presence_changed.connect(on_presence_changed, weak=False)


def on_message_sent(message, author, recipient):
    payload = chat.message_payload(message, {author.id: author.display_name})
    payload["recipient_id"], payload["recipient_name"] = recipient.id, recipient.display_name
    after_commit(emit_message, payload, author.id, recipient.id,
                 chat.unread_summary(recipient, message.conversation_id))


def on_messages_read(conversation, reader, up_to_id, read_at):
    payload = {"conversation_id": conversation.id, "reader_id": reader.id, "up_to_id": up_to_id,
               "read_at": read_at.isoformat()}
    after_commit(emit_read, payload, chat.participants_of(conversation), reader.id,
                 chat.unread_summary(reader, conversation.id))


def on_presence_changed(user_id, online, last_seen, after_grace):
    if after_grace:
        after_commit(announce_offline, user_id, last_seen)
    else:
        after_commit(emit_presence, presence.presence_payload(user_id, online, last_seen))


def emit_message(payload, sender_id, recipient_id, recipient_unread):
    socketio.emit("chat:message", payload, to=[user_room(sender_id), user_room(recipient_id)])
    socketio.emit("chat:unread", recipient_unread, to=user_room(recipient_id))


def emit_read(payload, participant_ids, reader_id, reader_unread):
    socketio.emit("chat:read", payload, to=[user_room(user_id) for user_id in participant_ids])
    socketio.emit("chat:unread", reader_unread, to=user_room(reader_id))


def emit_presence(payload):
    socketio.emit("presence", payload, to=presence_room(payload["user_id"]))


def announce_offline(user_id, last_seen):
    """Someone's last connection closed. Their contacts hear it only if they are still away after
    a short grace, so moving between pages of the site does not blink their dot."""
    grace = current_app.config["PRESENCE_OFFLINE_GRACE_SECONDS"]
    payload = presence.presence_payload(user_id, False, last_seen)
    if not grace:
        emit_presence(payload)
        return
    socketio.start_background_task(_announce_after_grace, current_app._get_current_object(), payload, grace)


def _announce_after_grace(app, payload, grace):
    socketio.sleep(grace)
    with app.app_context():
        try:
            if not presence.is_online(payload["user_id"]):
                emit_presence(payload)
        except Exception:
            log.exception("announcing user %s offline failed", payload["user_id"])


def init_app(app):
    for name, handler in (("chat:send", on_send), ("chat:typing", on_typing), ("chat:read", on_read),
                          ("presence:ping", on_ping), ("presence:watch", on_watch)):
        socketio.on_event(name, handler)
