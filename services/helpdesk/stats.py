"""Helpdesk figures for the dashboards and the API.

The counters come from one grouped scan of the tickets (status × category × priority ×
assignee × overdue × due soon), added up in Python: one query instead of one per chart. Overdue
and due soon are services/helpdesk/sla.py's: working time, and a ticket on hold is neither.
"""
from collections import Counter as Tally
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from extensions import db
from models import Area, AuditLog, Category, Priority, Ticket, TicketStatus, User
from services.helpdesk import sla
from services.helpdesk.access import restrict_to_visible, staff_scope
from services.timeutil import day_bounds, local_today, organisation_tz, seconds_between, utcnow

URGENT_CODES = ("high", "critical")
ATTENTION_SIZE = 8


@dataclass
class Overview:
    total: int = 0
    open: int = 0  # every status but closed
    unassigned: int = 0
    urgent: int = 0  # high and critical, not closed
    overdue: int = 0
    due_soon: int = 0
    attention: list = field(default_factory=list)  # the most pressing overdue / due-soon tickets
    by_status: dict = field(default_factory=dict)
    by_category: list = field(default_factory=list)  # [(name, count)]
    by_area: list = field(default_factory=list)
    workload: list = field(default_factory=list)  # [(agent, open, overdue)]

    def as_dict(self):
        return {
            "total": self.total, "open": self.open, "unassigned": self.unassigned, "urgent": self.urgent,
            "overdue": self.overdue, "due_soon": self.due_soon, "by_status": self.by_status,
            "by_category": [{"name": name, "count": count} for name, count in self.by_category],
            "by_area": [{"name": name, "count": count} for name, count in self.by_area],
            "workload": [{"agent_id": agent.id, "agent": agent.display_name, "open": open_, "overdue": overdue}
                         for agent, open_, overdue in self.workload],
        }


def overview(user, now=None, attention_size=ATTENTION_SIZE):
    """Counters and breakdowns over the tickets `user` may see, and the first tickets needing
    attention (overdue, then due soon, by due time)."""
    now = now or utcnow()
    cutoffs = sla.soon_cutoffs(now)
    overdue = case((sla.overdue_condition(now), True), else_=False)
    soon = case((sla.due_soon_condition(now, cutoffs), True), else_=False)
    grouped = restrict_to_visible(
        select(Ticket.status, Ticket.category_id, Ticket.area_id, Ticket.priority_id, Ticket.assignee_id,
               overdue.label("overdue"), soon.label("soon"), func.count().label("n"))
        .group_by(Ticket.status, Ticket.category_id, Ticket.area_id, Ticket.priority_id, Ticket.assignee_id,
                  overdue, soon), user)
    rows = db.session.execute(grouped).all()
    urgent_ids = set(db.session.scalars(select(Priority.id).where(Priority.code.in_(URGENT_CODES))))

    result = Overview(by_status={status.value: 0 for status in TicketStatus})
    categories, areas, agent_open, agent_overdue = Tally(), Tally(), Tally(), Tally()
    for status, category_id, area_id, priority_id, assignee_id, is_overdue, is_soon, count in rows:
        result.total += count
        result.by_status[status.value] += count
        categories[category_id] += count
        areas[area_id] += count
        if status == TicketStatus.CLOSED:
            continue
        result.open += count
        result.unassigned += count if assignee_id is None else 0
        result.urgent += count if priority_id in urgent_ids else 0
        result.overdue += count if is_overdue else 0
        result.due_soon += count if is_soon else 0
        if assignee_id is not None:
            agent_open[assignee_id] += count
            agent_overdue[assignee_id] += count if is_overdue else 0

    result.by_category = _named(Category, categories)
    result.by_area = _named(Area, areas)
    agents = {agent.id: agent for agent in db.session.scalars(select(User).where(User.id.in_(agent_open)))}
    result.workload = sorted(((agents[i], n, agent_overdue[i]) for i, n in agent_open.items() if i in agents),
                             key=lambda row: (-row[1], row[0].display_name))
    if result.overdue or result.due_soon:
        result.attention = needing_attention(user, now, cutoffs, attention_size)
    return result


def needing_attention(user, now, cutoffs=None, limit=ATTENTION_SIZE):
    """The overdue and due-soon tickets `user` may see, the earliest due first."""
    query = (restrict_to_visible(select(Ticket).where(sla.needs_attention_condition(now, cutoffs)), user)
             .order_by(Ticket.due_at, Ticket.id).limit(limit)
             .options(joinedload(Ticket.priority), joinedload(Ticket.assignee), joinedload(Ticket.area)))
    return list(db.session.scalars(query))


def _named(model, tally):
    names = dict(db.session.execute(select(model.id, model.name).where(model.id.in_(list(tally)))).all())
    return sorted(((names.get(key, "?"), count) for key, count in tally.items()), key=lambda row: -row[1])


def created_and_closed_per_day(user, days=30, now=None):
    """[(local date, created, closed)] for the last `days` local days, oldest first."""
    now = now or utcnow()
    last_day = local_today(now)
    first_day = last_day - timedelta(days=days - 1)
    start, end = day_bounds(first_day, last_day)
    created = _per_day(user, Ticket.created_at, start, end)
    closed = _per_day(user, Ticket.closed_at, start, end)
    return [(day, created.get(day, 0), closed.get(day, 0))
            for day in (first_day + timedelta(days=n) for n in range(days))]


def _per_day(user, column, start, end):
    """Counts per local day of `column` in [start, end). PostgreSQL groups by the local date
    itself; SQLite has no time zones, so there the timestamps are bucketed in Python."""
    in_range = (column >= start, column < end)
    if db.session.get_bind().dialect.name == "postgresql":
        tz = organisation_tz().key
        # the column holds UTC without a zone: read it as UTC, then see it on the local clock
        local_day = func.date(func.timezone(tz, func.timezone("UTC", column)))
        query = restrict_to_visible(select(local_day, func.count()).where(*in_range).group_by(local_day), user)
        return dict(db.session.execute(query).all())
    tz = organisation_tz()
    query = restrict_to_visible(select(column).where(*in_range), user)
    return dict(Tally(moment.astimezone(tz).date() for moment in db.session.scalars(query)))


def recent_activity(user, limit=10):
    """The latest changes to tickets `user` may see: [(AuditLog, Ticket)]."""
    visible = restrict_to_visible(select(Ticket.id), user).scalar_subquery()
    query = (select(AuditLog, Ticket).join(Ticket, Ticket.id == AuditLog.entity_id)
             .where(AuditLog.entity_type == "ticket", AuditLog.entity_id.in_(visible),
                    # the due time's bookkeeping: the status change beside it says what happened
                    AuditLog.action.not_in((sla.PAUSED_ACTION, sla.RESUMED_ACTION)))
             .order_by(AuditLog.id.desc()).limit(limit))
    return db.session.execute(query).all()


def agent_statistics(agent, now=None, days=30):
    """An agent's own figures: their open work by status, overdue, closed lately and how long
    their tickets took to close."""
    now = now or utcnow()
    mine = staff_scope(agent)
    by_status = dict(db.session.execute(
        select(Ticket.status, func.count()).where(Ticket.assignee_id == agent.id).group_by(Ticket.status)).all())
    closed_count, average_seconds = _closed_figures(agent, now - timedelta(days=days))
    return {
        "open": by_status.get(TicketStatus.OPEN, 0),
        "in_progress": by_status.get(TicketStatus.IN_PROGRESS, 0),
        "on_hold": by_status.get(TicketStatus.ON_HOLD, 0),
        "unassigned_in_areas": db.session.scalar(
            select(func.count()).where(mine, Ticket.assignee_id.is_(None), Ticket.status != TicketStatus.CLOSED)),
        "overdue": db.session.scalar(
            select(func.count()).where(Ticket.assignee_id == agent.id, sla.overdue_condition(now))),
        "due_soon": db.session.scalar(
            select(func.count()).where(Ticket.assignee_id == agent.id, sla.due_soon_condition(now))),
        "closed_recently": closed_count,
        "average_hours_to_close": round(average_seconds / 3600, 1) if average_seconds else None,
        "days": days,
    }


def _closed_figures(agent, since):
    return db.session.execute(
        select(func.count(), func.avg(seconds_between(Ticket.created_at, Ticket.closed_at)))
        .where(Ticket.assignee_id == agent.id, Ticket.closed_at >= since)).one()
