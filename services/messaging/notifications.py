"""Who hears of a ticket change, by mail and in the bell. It subscribes to the helpdesk's signals
(events.py), which are sent inside the change's transaction, so every message (the outbox) and
notification is stored with the change or not at all (email_manager.enqueue, inbox.notify).
The bell never tells people of what they did themselves; requesters are not mailed about their
own clicks."""
from sqlalchemy import select

import email_manager
import events
from extensions import db
from models import NotificationKind, Role, TicketStatus, User
from services.helpdesk.tickets import status_label
from services.messaging import inbox


def subscribe():
    """Connect to the helpdesk's signals (connecting twice changes nothing)."""
    events.ticket_filed.connect(on_ticket_filed, weak=False)
    events.ticket_assigned.connect(on_ticket_assigned, weak=False)
    events.ticket_status_changed.connect(on_status_changed, weak=False)
    events.reply_added.connect(on_reply_added, weak=False)


def on_ticket_filed(ticket, by):
    """The requester gets the number and the link; every active admin hears of the new ticket;
    the agent it went to hears it is theirs."""
    _to_requester(ticket, "ticket_filed")
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True),
                                                   User.email.is_not(None)))
    for admin in admins:
        _mail(admin.email, "ticket_new_admin", admin.locale, ticket=ticket, link=staff_link(ticket))
    if ticket.assignee is not None and ticket.assignee_id != (by.id if by else None):
        # Assigned on filing by the desk itself: the bell names nobody.
        _tell_assignee(ticket, by=None)


def on_ticket_assigned(ticket, by, previous_assignee_id):
    if ticket.assignee is not None and ticket.assignee_id != by.id:
        _tell_assignee(ticket, by)


def on_status_changed(ticket, by, old_status, by_staff, automatically=False):
    """The requester hears of what staff or the auto-close did, not of their own clicks."""
    if automatically:
        _closed(ticket, by=None, automatically=True)
    elif by_staff and ticket.status == TicketStatus.CLOSED:
        _closed(ticket, by, automatically=False)
    elif by_staff:
        _to_requester(ticket, "ticket_status", old_status=old_status)
        _bell(ticket.requester_id, NotificationKind.STATUS, ticket, by, status=ticket.status.value,
              old_status=old_status.value)


def on_reply_added(ticket, comment, by_staff):
    if by_staff and not comment.internal:
        _to_requester(ticket, "ticket_reply", comment=comment)
        _bell(ticket.requester_id, NotificationKind.REPLY, ticket, comment.author, comment_id=comment.id)


# --- links and recipients ----------------------------------------------------------------------


def requester_link(ticket):
    """Account holders follow their ticket signed in; others through the secret tracking link."""
    if ticket.requester_id is None:
        return email_manager.absolute_url("helpdesk.track", token=ticket.tracking_token)
    return email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=ticket.id)


def staff_link(ticket):
    return email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=ticket.id)


def _mail(recipient, template, locale, **context):
    email_manager.enqueue(recipient, template, locale=locale, status_label=status_label, **context)


def _to_requester(ticket, template, **context):
    if ticket.requester_email:
        locale = ticket.requester.locale if ticket.requester is not None else None
        _mail(ticket.requester_email, template, locale, ticket=ticket, link=requester_link(ticket), **context)


def _tell_assignee(ticket, by):
    agent = ticket.assignee
    if agent.email:
        _mail(agent.email, "ticket_assigned", agent.locale, ticket=ticket, link=staff_link(ticket))
    _bell(agent.id, NotificationKind.ASSIGNED, ticket, by)


def _closed(ticket, by, automatically):
    _to_requester(ticket, "ticket_closed", automatically=automatically)
    _bell(ticket.requester_id, NotificationKind.STATUS, ticket, by, status=TicketStatus.CLOSED.value,
          automatically=automatically)


def _bell(recipient_id, kind, ticket, actor, **data):
    if recipient_id is not None and recipient_id != getattr(actor, "id", None):
        inbox.notify(recipient_id, kind, ticket, actor=actor, **data)
