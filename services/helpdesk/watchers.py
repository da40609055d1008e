"""Who hears of a ticket besides its requester and its assignee.

- **Followers** (TicketWatcher): staff who may see a ticket follow it, and hear of it by bell and
  mail as its assignee does, and of what other staff do on it (replies, notes, status). Following
  is a personal choice, not a change of the ticket: no audit row. A follower who may no longer
  see the ticket (an agent whose area's ticket went to a colleague) hears nothing more of it.
- **Copies** (TicketCopy): addresses the requester (or staff) put in copy. They receive the
  ticket's public replies by mail, never internal notes, and never a link that acts on the
  ticket (the tracking link would let them act as the requester); each mail carries a signed
  link that takes them out of copy. A reply that holds the requester's tracking link (a reply
  template's {tracking_link}, or the requester pasting it) reaches them with the link hidden
  (`without_tracking_link`). Every address added or removed is in the audit trail.

Each change is one transaction, committed here; `actor` None is the requester acting through the
tracking link, whose permission the route has checked.
"""
import re

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select

import events
from extensions import db
from models import AgentArea, Role, Ticket, TicketCopy, TicketWatcher, User
from services import audit
from services.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from services.helpdesk.access import is_requester, is_staff_for
from services.timeutil import utcnow

MAX_COPIES = 10
EMAIL_MAX = 255  # TicketCopy.email


# --- followers --------------------------------------------------------------------------------


def is_following(ticket, user):
    return user is not None and db.session.get(TicketWatcher, (ticket.id, user.id)) is not None


def follow(ticket, user, now=None):
    """`user` follows the ticket from now on (again: nothing changes)."""
    if not is_staff_for(user, ticket):
        raise NotAllowed(_l("Only the agents working on this ticket and admins may follow it."))
    if not is_following(ticket, user):
        db.session.add(TicketWatcher(ticket_id=ticket.id, user_id=user.id, created_at=now or utcnow()))
    db.session.commit()


def unfollow(ticket, user):
    """`user` stops following the ticket; anyone may stop, even after losing sight of it."""
    db.session.execute(delete(TicketWatcher).where(TicketWatcher.ticket_id == ticket.id,
                                                   TicketWatcher.user_id == user.id))
    db.session.commit()


def watchers(ticket):
    """Everyone following the ticket, by name (what staff see on its page)."""
    return list(db.session.scalars(
        select(User).join(TicketWatcher, TicketWatcher.user_id == User.id)
        .where(TicketWatcher.ticket_id == ticket.id).order_by(User.full_name, User.username)))


def followers_to_tell(ticket):
    """The followers who are to hear of the ticket now: active, and still allowed to work on it."""
    return [user for user in watchers(ticket) if user.active and is_staff_for(user, ticket)]


def working_on(ticket):
    """Who works on the ticket: its assignee, or while nobody has it, the agents of its area."""
    if ticket.assignee_id is not None:
        return [ticket.assignee] if ticket.assignee.active else []
    return list(db.session.scalars(
        select(User).join(AgentArea, AgentArea.user_id == User.id)
        .where(AgentArea.area_id == ticket.area_id, User.role == Role.AGENT, User.active.is_(True))
        .order_by(User.id)))


# --- copies -----------------------------------------------------------------------------------


def copies(ticket):
    return list(db.session.scalars(select(TicketCopy).where(TicketCopy.ticket_id == ticket.id)
                                   .order_by(TicketCopy.created_at, TicketCopy.email)))


def may_manage_copies(user, ticket):
    """The requester (signed in; through the link the route decides) and the staff working on it."""
    return is_staff_for(user, ticket) or is_requester(user, ticket)


def normalise_email(value, field="email"):
    """A valid address, lower-cased (so one person is in copy once), or ValidationFailed."""
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_l("Write an email address."), field=field)
    if len(value) > EMAIL_MAX:
        raise ValidationFailed(_l("At most %(count)d characters.", count=EMAIL_MAX), field=field)
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed(_l("Write a valid email address, such as name@example.org."), field=field) from None


def add_copy(ticket, email, actor, now=None):
    """Put `email` in copy of the ticket; returns the normalised address."""
    actor = _copy_actor(ticket, actor)
    email = normalise_email(email)
    if email == (ticket.requester_email or "").lower():
        raise ValidationFailed(_l("That is the requester's address: they receive every reply already."),
                               field="email")
    if db.session.get(TicketCopy, (ticket.id, email)) is not None:
        raise Conflict(_l("%(email)s is in copy already.", email=email), field="email")
    if copy_count(ticket) >= MAX_COPIES:
        raise ValidationFailed(_l("At most %(count)d people can be in copy; remove someone first.",
                                  count=MAX_COPIES), field="email")
    db.session.add(TicketCopy(ticket_id=ticket.id, email=email, created_at=now or utcnow()))
    audit.record(actor, "ticket.copy_added", "ticket", ticket.id, after={"email": email})
    events.ticket_copy_changed.send(ticket, email=email, added=True, by=actor)
    db.session.commit()
    return email


def remove_copy(ticket, email, actor):
    """Take `email` out of copy; an address not in copy is NotFound."""
    actor = _copy_actor(ticket, actor)
    email = (email or "").strip().lower()
    row = db.session.get(TicketCopy, (ticket.id, email)) if email else None
    if row is None:
        raise NotFound(_l("%(email)s is not in copy.", email=email or "—"), field="email")
    db.session.delete(row)
    audit.record(actor, "ticket.copy_removed", "ticket", ticket.id, before={"email": email})
    events.ticket_copy_changed.send(ticket, email=email, added=False, by=actor)
    db.session.commit()


def without_tracking_link(ticket, text, replacement):
    """`text` with every link (or bare key) holding the ticket's tracking token replaced by
    `replacement`: people in copy read the reply, never the key that acts as the requester."""
    token = ticket.tracking_token
    if not token or not text or token not in text:
        return text
    return re.sub(r"<?[^\s<>]*" + re.escape(token) + r"[^\s<>]*>?", lambda _match: replacement, text)


def copy_count(ticket):
    return db.session.scalar(select(func.count()).select_from(TicketCopy).where(TicketCopy.ticket_id == ticket.id))


def _copy_actor(ticket, actor):
    """Who acts, for the trail: a User allowed to, or (None) the requester through the link."""
    if actor is None:
        return audit.requester_via_link(ticket)
    if isinstance(actor, audit.Outsider):
        return actor
    if not may_manage_copies(actor, ticket):
        raise NotAllowed(_l("Only the requester, the agents working on this ticket and admins may change who is "
                            "in copy."))
    return actor


# --- leaving a copy through the link in its mail ----------------------------------------------


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="ticket-copy")


def leave_token(ticket, email):
    """The signed key in a copy's mails that takes that address out of that ticket's copy, and
    nothing else: it reveals nothing of the tracking link and acts on nothing but this."""
    return _serializer().dumps([ticket.id, email])


def copy_for_token(token):
    """(ticket, email) the key names, or NotFound. The address may have left already."""
    try:
        ticket_id, email = _serializer().loads(str(token)[:600])
    except (BadSignature, TypeError, ValueError):
        raise NotFound(_l("This link is not valid.")) from None
    ticket = db.session.get(Ticket, ticket_id) if isinstance(ticket_id, int) else None
    if ticket is None or not isinstance(email, str):
        raise NotFound(_l("This link is not valid."))
    return ticket, email


def is_in_copy(ticket, email):
    return db.session.get(TicketCopy, (ticket.id, email)) is not None


def leave_copy(token):
    """The person in copy leaves through their mail's link; leaving twice changes nothing.
    Returns the ticket."""
    ticket, email = copy_for_token(token)
    if is_in_copy(ticket, email):
        remove_copy(ticket, email, audit.Outsider(email, audit.VIA_MAIL))
    return ticket
