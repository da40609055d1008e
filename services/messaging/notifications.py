"""Which mail and which in-app notifications (the bell) a ticket change causes, and to whom.
Called inside the change's transaction, so both are stored with the change or not at all
(email_manager.enqueue, inbox.notify). The bell never tells people of what they did themselves."""
from sqlalchemy import select

import email_manager
from extensions import db
from models import AuditLog, NotificationKind, Role, TicketStatus, User
from services.messaging import inbox


def requester_link(ticket):
    """Account holders follow their ticket signed in; others through the secret tracking link."""
    if ticket.requester_id is None:
        return email_manager.absolute_url("helpdesk.track", token=ticket.tracking_token)
    return email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=ticket.id)


def staff_link(ticket):
    return email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=ticket.id)


def _requester_locale(ticket):
    return ticket.requester.locale if ticket.requester is not None else None


def _to_requester(ticket, template, **context):
    if ticket.requester_email:
        email_manager.enqueue(ticket.requester_email, template, locale=_requester_locale(ticket),
                              ticket=ticket, link=requester_link(ticket), **context)


def ticket_filed(ticket):
    """The requester gets the number and the link; every active admin hears of the new ticket."""
    _to_requester(ticket, "ticket_filed")
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True),
                                                   User.email.is_not(None)))
    for admin in admins:
        email_manager.enqueue(admin.email, "ticket_new_admin", locale=admin.locale, ticket=ticket,
                              link=staff_link(ticket))


def last_actor(ticket, action):
    """Who made the change being notified: the audit row it has just written in this transaction
    names them (None for the system), so the callers need not pass them along."""
    actor_id = db.session.scalar(select(AuditLog.actor_id).where(
        AuditLog.entity_type == "ticket", AuditLog.entity_id == ticket.id, AuditLog.action == action)
        .order_by(AuditLog.id.desc()).limit(1))
    return db.session.get(User, actor_id) if actor_id else None


def _bell(recipient_id, kind, ticket, actor, **data):
    if recipient_id is not None and recipient_id != getattr(actor, "id", None):
        inbox.notify(recipient_id, kind, ticket, actor=actor, **data)


def ticket_assigned(ticket):
    agent = ticket.assignee
    if agent is not None and agent.email:
        email_manager.enqueue(agent.email, "ticket_assigned", locale=agent.locale, ticket=ticket,
                              link=staff_link(ticket))
    if agent is not None:  # a ticket just filed has no "ticket.assigned" row: it assigned itself
        _bell(agent.id, NotificationKind.ASSIGNED, ticket, last_actor(ticket, "ticket.assigned"))


def public_reply(ticket, comment):
    _to_requester(ticket, "ticket_reply", comment=comment)
    _bell(ticket.requester_id, NotificationKind.REPLY, ticket, comment.author, comment_id=comment.id)


def status_changed(ticket, old_status):
    _to_requester(ticket, "ticket_status", old_status=old_status)
    _bell(ticket.requester_id, NotificationKind.STATUS, ticket, last_actor(ticket, "ticket.status"),
          status=ticket.status.value, old_status=old_status.value)


def ticket_closed(ticket, automatically):
    _to_requester(ticket, "ticket_closed", automatically=automatically)
    actor = None if automatically else last_actor(ticket, "ticket.status")
    _bell(ticket.requester_id, NotificationKind.STATUS, ticket, actor, status=TicketStatus.CLOSED.value,
          automatically=automatically)
