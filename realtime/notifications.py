"""Notification events on "/", to the recipient's `user:<id>` room (every tab and device of theirs).

- `notification` {id, kind, text, url, created_at, unread}: a new one, text already in the
  recipient's language.
- `notifications_read` {ids, unread_count}: these were read (in any tab, or by opening their
  ticket), so every open tab updates its bell.

services/inbox queues both with `after_commit`, so they follow the commit that stored them.
"""
from extensions import socketio
from realtime.core import user_room

NOTIFICATION = "notification"
NOTIFICATIONS_READ = "notifications_read"


def emit_notification(user_id, payload):
    socketio.emit(NOTIFICATION, payload, namespace="/", to=user_room(user_id))


def emit_read(user_id, ids, unread_count):
    socketio.emit(NOTIFICATIONS_READ, {"ids": ids, "unread_count": unread_count}, namespace="/",
                  to=user_room(user_id))
