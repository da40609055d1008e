"""Service levels: due times counted in working time, the clock stopped while a ticket waits, and
which tickets are due soon or overdue.

- **Due time**: a priority's resolution hours are hours of *working* time (working_time.py): a
  ticket filed on Friday at 16:00 with 4 hours, in an office open 08:00-17:00 on weekdays, is
  due on Monday at 11:00. Its first response is due after the response hours, the same way.
- **The clock stops** while a ticket is on hold or closed. Putting it on hold clears its due
  time (no one can be late on a ticket waiting for someone else); resuming it, or closing it from
  hold, sets the due time again, later by the working time it spent waiting. Reopening a closed
  ticket does the same for the time it was closed, so a ticket that was overdue when it was
  closed comes back overdue by the same working time. The pauses are kept in the audit trail
  (`ticket.sla_paused` / `ticket.sla_resumed`), so the total survives any number of them.
- **Due soon**: at most `sla_warning_percent` (20 %) of its priority's resolution time is left,
  in working time (a high-priority ticket of 24 hours is due soon with 4 h 48 min left).
  **Overdue**: open or in progress and past its due time.

Both are answered in Python for one ticket (`status_of`) and as SQL conditions for lists,
counters and the alert job (`due_soon_condition`, `overdue_condition`); the SQL compares due_at
with one cutoff per priority, computed here from the calendar, so the database needs no
knowledge of business hours and reads the due_at index.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, false, or_, select

from extensions import db
from models import AuditLog, Priority, Ticket, TicketStatus
from services import audit
from services.helpdesk.working_time import ZERO, load_calendar
from services.settings import sla_warning_percent
from services.timeutil import utcnow

# The statuses in which the clock runs: only these are due soon, overdue, warned or escalated.
ACTIVE = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)
PAUSED_ACTION, RESUMED_ACTION = "ticket.sla_paused", "ticket.sla_resumed"
MINUTE = timedelta(minutes=1)


# --- due times ----------------------------------------------------------------------------------


def resolution_budget(priority):
    return timedelta(hours=priority.resolution_hours)


def due_time(start, priority, paused=ZERO):
    """When a ticket filed at `start` with `priority` is due: its resolution hours of working time
    later, plus the working time it has spent paused."""
    return load_calendar().add(start, resolution_budget(priority) + paused)


def response_due(ticket):
    """When the first response is due: the priority's response hours of working time after filing."""
    return load_calendar().add(ticket.created_at, timedelta(hours=ticket.priority.response_hours))


def warning_allowance(priority):
    """How much working time is left when a ticket of this priority becomes due soon."""
    return resolution_budget(priority) * int(sla_warning_percent()) / 100


# --- due soon and overdue -----------------------------------------------------------------------


def soon_cutoffs(now, priorities=None):
    """{priority id: the latest due time that is "due soon" at `now`}: a ticket is due soon when
    now <= due_at <= its priority's cutoff. The latest moment with that much working time ahead,
    so a due time at a closing hour and one at the next opening are treated alike."""
    calendar = load_calendar()
    priorities = priorities if priorities is not None else db.session.scalars(select(Priority))
    return {priority.id: calendar.add(now, warning_allowance(priority), latest=True) for priority in priorities}


def overdue_condition(now):
    return and_(Ticket.status.in_(ACTIVE), Ticket.due_at < now)


def due_soon_condition(now, cutoffs=None):
    cutoffs = cutoffs if cutoffs is not None else soon_cutoffs(now)
    by_priority = [and_(Ticket.priority_id == priority_id, Ticket.due_at <= cutoff)
                   for priority_id, cutoff in cutoffs.items()]
    return and_(Ticket.status.in_(ACTIVE), Ticket.due_at >= now, or_(*by_priority) if by_priority else false())


def needs_attention_condition(now, cutoffs=None):
    """Due soon or overdue: what the dashboard lists first."""
    return or_(overdue_condition(now), due_soon_condition(now, cutoffs))


@dataclass(frozen=True)
class SlaStatus:
    """Where a ticket stands against its due time, for pages and mail.

    state: "overdue", "soon", "on_track" or "paused"; left: working time to the due time
    (negative once overdue; None while paused)."""

    state: str
    left: timedelta | None = None

    @property
    def text(self):
        if self.state == "paused":
            return _("Due time paused")
        if self.state == "overdue":
            late = -self.left
            return _("Overdue by %(time)s", time=format_working(late)) if late >= MINUTE else _("Overdue")
        # "1 h left" / "2 h left": one text in English, "Queda 1 h" / "Quedan 2 h" in Spanish.
        number, time = leading_number(self.left), format_working(self.left)
        if self.state == "soon":  # said in words too, not by its colour alone
            return ngettext("Due soon: %(time)s left", "Due soon: %(time)s left", number, time=time)
        return ngettext("%(time)s left", "%(time)s left", number, time=time)


def status_of(ticket, now=None):
    """The ticket's SlaStatus, or None when it has none (closed, or no due time)."""
    now = now or utcnow()
    if ticket.status == TicketStatus.ON_HOLD:
        return SlaStatus("paused")
    if ticket.status not in ACTIVE or ticket.due_at is None:
        return None
    left = load_calendar().between(now, ticket.due_at)
    if ticket.due_at < now:
        return SlaStatus("overdue", min(left, ZERO))
    return SlaStatus("soon" if left <= warning_allowance(ticket.priority) else "on_track", left)


def _whole_minutes(amount):
    return max(int(amount.total_seconds() // 60), 0)


def leading_number(amount):
    """The number `format_working(amount)` starts with (its hours, else its minutes): what a
    sentence around it agrees with, through ngettext ("Queda 1 h", "Quedan 2 h 15 min")."""
    minutes = _whole_minutes(amount)
    return minutes // 60 or minutes


def format_working(amount):
    """Working time as people say it: "2 h 15 min", "45 min", "3 h" (whole minutes, rounded down)."""
    minutes = _whole_minutes(amount)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(hours)d h %(minutes)d min", hours=hours, minutes=minutes)
    if hours:
        return _("%(hours)d h", hours=hours)
    return _("%(minutes)d min", minutes=minutes)


# --- the clock stops while a ticket waits --------------------------------------------------------


def _latest(ticket, action):
    return db.session.scalars(select(AuditLog).where(AuditLog.entity_type == "ticket",
                                                     AuditLog.entity_id == ticket.id, AuditLog.action == action)
                              .order_by(AuditLog.id.desc()).limit(1)).first()


def paused_so_far(ticket):
    """The working time the ticket has spent paused before its current pause (0 if never)."""
    resumed = _latest(ticket, RESUMED_ACTION)
    return timedelta(seconds=(resumed.after or {}).get("paused_seconds", 0)) if resumed else ZERO


def _pause_of(ticket):
    """(when the current pause began, the due time the ticket had then), from its audit row. If the
    priority changed during the pause, the due time the new priority gives instead."""
    paused = _latest(ticket, PAUSED_ACTION)
    after, before = (paused.after or {}, paused.before or {}) if paused else ({}, {})
    if not after.get("paused_at") or not before.get("due_at"):
        return None, None
    due_then = datetime.fromisoformat(before["due_at"])
    if after.get("priority_id") != ticket.priority_id:
        due_then = due_time(ticket.created_at, ticket.priority, paused_so_far(ticket))
    return datetime.fromisoformat(after["paused_at"]), due_then


def status_changing(ticket, new_status, actor, now):
    """Stop or restart the clock for a status change about to happen (called before the ticket
    changes, while closed_at still says when it was closed)."""
    old_status = ticket.status
    if old_status in ACTIVE and new_status == TicketStatus.ON_HOLD and ticket.due_at is not None:
        _pause(ticket, actor, now)
    elif old_status == TicketStatus.ON_HOLD and new_status != TicketStatus.ON_HOLD and ticket.due_at is None:
        _resume(ticket, actor, *_pause_of(ticket), now)
    elif old_status == TicketStatus.CLOSED and new_status in ACTIVE:
        if ticket.due_at is not None:  # closed while running, its due time kept: paused since it closed
            _resume(ticket, actor, ticket.closed_at, ticket.due_at, now)
        else:  # closed from hold without resuming (the auto-close): paused since it went on hold
            _resume(ticket, actor, *_pause_of(ticket), now)


def _pause(ticket, actor, now):
    audit.record(actor, PAUSED_ACTION, "ticket", ticket.id, before={"due_at": ticket.due_at.isoformat()},
                 after={"due_at": None, "paused_at": now.isoformat(), "priority_id": ticket.priority_id})
    ticket.due_at = None


def _resume(ticket, actor, since, due_then, now):
    """The clock runs again at `now` with the working time it had left at `since` (negative when
    it was overdue then: it comes back overdue by as much)."""
    calendar = load_calendar()
    before = ticket.due_at
    if since is None or due_then is None:  # no record of the pause (paused before this existed)
        since, due_then = now, due_time(ticket.created_at, ticket.priority, paused_so_far(ticket))
    paused = paused_so_far(ticket) + max(calendar.between(since, now), ZERO)
    ticket.due_at = calendar.add(now, calendar.between(since, due_then))
    # A mark stays while what it said still holds: a ticket overdue before its pause and still
    # overdue after it is not escalated a second time.
    if ticket.sla_escalated_at is not None and ticket.due_at >= now:
        ticket.sla_escalated_at = None
    if ticket.sla_warned_at is not None and ticket.due_at > soon_cutoffs(now, [ticket.priority])[ticket.priority_id]:
        ticket.sla_warned_at = None
    audit.record(actor, RESUMED_ACTION, "ticket", ticket.id, before={"due_at": before.isoformat() if before else None},
                 after={"due_at": ticket.due_at.isoformat(), "paused_seconds": int(paused.total_seconds())})


def priority_changed(ticket):
    """A new priority: the due time again from the filing time with its hours, plus the time the
    ticket spent paused; the warning and escalation start afresh for the new due time. While on
    hold there is no due time: resuming sets it with the new hours (see `_pause_of`)."""
    ticket.sla_warned_at = ticket.sla_escalated_at = None
    if ticket.status == TicketStatus.ON_HOLD and ticket.due_at is None:
        return
    ticket.due_at = due_time(ticket.created_at, ticket.priority, paused_so_far(ticket))


def left_when_resumed(ticket):
    """For a ticket on hold: the working time it will have left when work resumes."""
    since, due_then = _pause_of(ticket)
    if ticket.status != TicketStatus.ON_HOLD or ticket.due_at is not None or since is None:
        return None
    return load_calendar().between(since, due_then)


# --- what the alert job acts on -----------------------------------------------------------------

# A ticket that went past its due time longer ago than this before the job saw it (the desk was
# off for days, or alerts were just turned on over old tickets) is not escalated: the lists show it
# overdue, and a burst of mail about last month's tickets would bury the ones that matter.
ESCALATION_LOOKBACK = timedelta(days=3)


def to_warn(now, limit):
    """Ids of tickets due soon whose assignee (or area) has not been warned yet, locked for this
    run (rows another process holds are skipped: it is warning them)."""
    query = (select(Ticket.id).where(due_soon_condition(now), Ticket.sla_warned_at.is_(None))
             .order_by(Ticket.due_at, Ticket.id).limit(limit).with_for_update(skip_locked=True))
    return list(db.session.scalars(query))


def to_escalate(now, limit):
    """Ids of tickets overdue (within ESCALATION_LOOKBACK) not escalated yet, locked for this run."""
    query = (select(Ticket.id).where(overdue_condition(now), Ticket.due_at >= now - ESCALATION_LOOKBACK,
                                     Ticket.sla_escalated_at.is_(None))
             .order_by(Ticket.due_at, Ticket.id).limit(limit).with_for_update(skip_locked=True))
    return list(db.session.scalars(query))
