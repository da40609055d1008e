"""Who sees which helpdesk ticket, and who may work on it.

- a user sees the tickets they filed;
- an agent also sees the tickets assigned to them and the unassigned ones of their areas;
- an admin sees everything;
- someone without an account sees one ticket, through its tracking token.

Every page, download, export and API route goes through these functions, so a ticket the
person may not see is simply "not found".
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, or_, select

from extensions import db
from models import AgentArea, Role, Ticket
from services.errors import NotAllowed, NotFound


def agent_area_ids(user):
    return select(AgentArea.area_id).where(AgentArea.user_id == user.id)


def staff_scope(user):
    """SQL condition: tickets this agent works on (assigned to them, or unassigned in their areas)."""
    return or_(Ticket.assignee_id == user.id,
               (Ticket.assignee_id.is_(None)) & Ticket.area_id.in_(agent_area_ids(user)))


def visible_condition(user):
    """SQL condition for the tickets `user` may see."""
    if user is None or not user.is_authenticated:
        return false()
    if user.role == Role.ADMIN:
        return None
    own = Ticket.requester_id == user.id
    if user.role == Role.AGENT:
        return or_(own, staff_scope(user))
    return own


def restrict_to_visible(query, user):
    condition = visible_condition(user)
    return query if condition is None else query.where(condition)


def is_staff_for(user, ticket):
    """True when `user` works on this ticket: an admin, or an agent it is assigned to or whose
    area holds it unassigned."""
    if user is None or not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.AGENT:
        return False
    if ticket.assignee_id is not None:
        return ticket.assignee_id == user.id
    return ticket.area_id in {area.id for area in user.areas}


def can_see(user, ticket):
    return is_staff_for(user, ticket) or (
        user is not None and user.is_authenticated and ticket.requester_id == user.id)


def is_requester(user, ticket):
    return user is not None and user.is_authenticated and ticket.requester_id == user.id


def visible_ticket(ticket_id, user, lock=False):
    """The ticket if `user` may see it; NotFound otherwise (whether or not it exists)."""
    query = restrict_to_visible(select(Ticket).where(Ticket.id == ticket_id), user)
    if lock:
        query = query.with_for_update(of=Ticket)
    ticket = db.session.scalars(query).first()
    if ticket is None:
        raise NotFound(_l("This ticket does not exist or is not yours to see."))
    return ticket


def ticket_by_token(token, lock=False):
    query = select(Ticket).where(Ticket.tracking_token == str(token)[:40])
    if lock:
        query = query.with_for_update()
    ticket = db.session.scalars(query).first()
    if ticket is None:
        raise NotFound(_l("This tracking link is not valid."))
    return ticket


def require_staff(user, ticket):
    if not is_staff_for(user, ticket):
        raise NotAllowed(_l("Only the agents working on this ticket and admins may do that."))
