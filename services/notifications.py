"""Which mail a ticket change causes, and to whom. Called inside the change's transaction, so
the messages are stored in the outbox with the change or not at all (email_manager.enqueue)."""
from sqlalchemy import select

import email_manager
from extensions import db
from models import Role, User


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


def ticket_assigned(ticket):
    agent = ticket.assignee
    if agent is not None and agent.email:
        email_manager.enqueue(agent.email, "ticket_assigned", locale=agent.locale, ticket=ticket,
                              link=staff_link(ticket))


def public_reply(ticket, comment):
    _to_requester(ticket, "ticket_reply", comment=comment)


def status_changed(ticket, old_status):
    _to_requester(ticket, "ticket_status", old_status=old_status)


def ticket_closed(ticket, automatically):
    _to_requester(ticket, "ticket_closed", automatically=automatically)
