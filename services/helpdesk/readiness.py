"""Whether the helpdesk can take tickets, and what the admin still has to set up.

A ticket needs a category (which gives it an area and a default priority), so until an active
category of an active area exists the filing pages and the API say the desk is not ready instead
of offering a form nobody can send. Agents are not needed to file: without one the ticket waits
unassigned, so their absence is something to do, not a reason to refuse tickets.
"""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from extensions import db
from models import AgentArea, Area, Category, Priority, Role, User
from services.errors import DomainError


class HelpdeskNotReady(DomainError):
    """Nothing can be filed yet: no category to file under."""

    status = 503
    code = "helpdesk_not_ready"

    def __init__(self):
        super().__init__(_l("The helpdesk is not ready to take tickets yet: an administrator has to create its "
                            "categories first."))


@dataclass(frozen=True)
class HelpdeskReadiness:
    priorities: int
    areas: int  # active
    categories: int  # active, in an active area: what people may file under
    agents: int  # active agents who work for an active area

    @property
    def takes_tickets(self):
        return self.categories > 0

    @property
    def complete(self):
        return self.takes_tickets and self.agents > 0


def _active_category():
    return select(Category.id).join(Area, Area.id == Category.area_id).where(
        Category.active.is_(True), Area.active.is_(True))


def helpdesk_readiness():
    """The counts the set-up checklist shows, in one query."""
    count = func.count()
    row = db.session.execute(select(
        select(count).select_from(Priority).scalar_subquery(),
        select(count).select_from(Area).where(Area.active.is_(True)).scalar_subquery(),
        select(count).select_from(_active_category().subquery()).scalar_subquery(),
        select(func.count(func.distinct(User.id))).select_from(User)
        .join(AgentArea, AgentArea.user_id == User.id).join(Area, Area.id == AgentArea.area_id)
        .where(User.role == Role.AGENT, User.active.is_(True), Area.active.is_(True)).scalar_subquery(),
    )).one()
    return HelpdeskReadiness(*row)


def takes_tickets():
    """True once something can be filed: an active category in an active area."""
    return bool(db.session.scalar(select(exists(_active_category()))))


def require_taking_tickets():
    if not takes_tickets():
        raise HelpdeskNotReady()
