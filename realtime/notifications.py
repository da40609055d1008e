"""Notification events on "/", to the recipient's `user:<id>` room (every tab and device of theirs).

- `notification` {id, kind, text, url, created_at, unread}: a new one, text already in the
  recipient's language.
- `notifications_read` {ids, unread_count}: these were read (in any tab, or by opening their
  ticket), so every open tab updates its bell.

Both follow the commit that stored what they tell (services/messaging/inbox announces it).
"""
from flask_babel import force_locale

import events
from extensions import after_commit, socketio
from realtime.core import user_room
from services.messaging import inbox
from web.i18n import language_for

NOTIFICATION = "notification"
NOTIFICATIONS_READ = "notifications_read"


def subscribe():
    events.notification_added.connect(on_notification_added, weak=False)
    events.notifications_read.connect(on_notifications_read, weak=False)


def on_notification_added(notification, recipient):
    """Rendered now, in the recipient's language: the text is what their bell shows."""
    with force_locale(language_for(recipient.locale)):
        payload = inbox.as_dict(notification)
    after_commit(emit_notification, recipient.id, payload)


def on_notifications_read(user, ids):
    after_commit(emit_read, user.id, ids, inbox.unread_count(user))


def emit_notification(user_id, payload):
    socketio.emit(NOTIFICATION, payload, namespace="/", to=user_room(user_id))


def emit_read(user_id, ids, unread_count):
    socketio.emit(NOTIFICATIONS_READ, {"ids": ids, "unread_count": unread_count}, namespace="/",
                  to=user_room(user_id))
