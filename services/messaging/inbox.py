"""Each person's notifications (the bell): storing one with the change that caused it, reading
them back, and marking them read. The text is rendered when shown, in the reader's language,
from what the row keeps (ticket number, title, status), so a stored notification reads right
after a language switch."""
from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

import events
from extensions import db
from models import MAX_ID, Notification, NotificationKind, TicketStatus, User
from services.errors import NotFound
from services.helpdesk.tickets import status_label
from services.timeutil import utcnow

DROPDOWN_SIZE = 8
PAGE_SIZE = 20
CATCH_UP_LIMIT = 50


def notify(recipient_id, kind, ticket, actor=None, **data):
    """Store a notification for `recipient_id` in the caller's transaction (not committed here);
    `events.notification_added` tells their open pages once that transaction commits."""
    recipient = db.session.get(User, recipient_id) if recipient_id else None
    if recipient is None or not recipient.active:
        return None
    notification = Notification(user_id=recipient.id, kind=kind, ticket_id=ticket.id, created_at=utcnow(),
                                actor_name=actor.display_name if actor is not None else None,
                                data={"number": ticket.number, "title": ticket.title, **data})
    db.session.add(notification)
    db.session.flush()
    events.notification_added.send(notification, recipient=recipient)
    return notification


# --- reading ----------------------------------------------------------------------------------


def text(notification):
    data = dict(notification.data or {})
    values = {"number": data.get("number", ""), "title": data.get("title", ""), "actor": notification.actor_name}
    kind, status = notification.kind, data.get("status")
    if kind == NotificationKind.ASSIGNED:
        if values["actor"]:
            return _("%(actor)s assigned %(number)s to you: %(title)s", **values)
        return _("%(number)s was assigned to you: %(title)s", **values)
    if kind == NotificationKind.SLA_WARNING:
        if data.get("unassigned"):
            return _("%(number)s is due soon and nobody has it: %(title)s", **values)
        return _("%(number)s is due soon: %(title)s", **values)
    if kind == NotificationKind.SLA_OVERDUE:
        return _("%(number)s is overdue: %(title)s", **values)
    if kind == NotificationKind.REPLY:
        if data.get("internal"):
            return _("%(actor)s wrote an internal note on %(number)s: %(title)s", **values)
        return _("%(actor)s replied on %(number)s: %(title)s", **values)
    if kind == NotificationKind.REOPENED:
        if values["actor"]:
            return _("%(actor)s reopened %(number)s: %(title)s", **values)
        return _("%(number)s was reopened: %(title)s", **values)
    if status == TicketStatus.CLOSED.value:
        if data.get("automatically"):
            return _("%(number)s was closed automatically: %(title)s", **values)
        if values["actor"]:
            return _("%(actor)s closed %(number)s: %(title)s", **values)
        return _("%(number)s was closed: %(title)s", **values)
    label = status_label(status) if status in {s.value for s in TicketStatus} else status
    if values["actor"]:
        return _("%(actor)s changed %(number)s to “%(status)s”: %(title)s", status=label, **values)
    return _("%(number)s is now “%(status)s”: %(title)s", status=label, **values)


def link(notification):
    if notification.ticket_id is None:
        return _path("notifications.index")
    return _path("helpdesk.ticket_detail", ticket_id=notification.ticket_id)


def _path(endpoint, **values):
    """A link within the site, also outside a request (a job closing tickets), where url_for
    would need SERVER_NAME to build one."""
    if has_request_context():
        return url_for(endpoint, **values)
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config["APPLICATION_ROOT"])
    return adapter.build(endpoint, values)


def as_dict(notification):
    """What the bell's script gets, from the JSON route and the `notification` event alike."""
    return {"id": notification.id, "kind": notification.kind.value, "text": text(notification),
            "url": link(notification), "created_at": notification.created_at.isoformat(),
            "unread": notification.read_at is None}


def _mine(user):
    return select(Notification).where(Notification.user_id == user.id)


def unread_count(user):
    return db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None)))


def latest(user, limit=DROPDOWN_SIZE):
    return list(db.session.scalars(_mine(user).order_by(Notification.id.desc()).limit(limit)))


def since(user, after_id, limit=CATCH_UP_LIMIT):
    """The newest of those after `after_id`: what a page that reconnects missed, newest first.
    Beyond `limit` the count and the history page tell the rest."""
    query = _mine(user).where(Notification.id > after_id).order_by(Notification.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def history(user, page, per_page=PAGE_SIZE):
    return db.paginate(_mine(user).order_by(Notification.id.desc()), page=page, per_page=per_page,
                       error_out=False)


# --- marking read -----------------------------------------------------------------------------


def mark_read(user, notification_id):
    """One of the user's notifications read; someone else's (or none) is NotFound, so ids
    reveal nothing."""
    exists = 0 < notification_id <= MAX_ID and db.session.scalar(
        select(Notification.id).where(Notification.id == notification_id, Notification.user_id == user.id))
    if not exists:
        raise NotFound(_l("This notification does not exist."))
    return _mark(user, Notification.id == notification_id)


def mark_all_read(user):
    return _mark(user)


def mark_ticket_read(user, ticket_id):
    """Opening a ticket reads what the bell said about it."""
    return _mark(user, Notification.ticket_id == ticket_id)


def _mark(user, *conditions):
    """One UPDATE; it commits, and tells the user's other pages, only when something changed,
    so a ticket page opened with nothing unread costs a single statement."""
    ids = list(db.session.scalars(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None), *conditions)
        .values(read_at=utcnow()).returning(Notification.id)
        .execution_options(synchronize_session=False)))
    if ids:
        events.notifications_read.send(user, ids=sorted(ids))
        db.session.commit()
    return ids
