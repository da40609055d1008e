"""The walk-in queue's line: issuing numbers, and calling and serving them at counters.

Races are settled by the database:
- numbers come from `queue_sequences`, incremented with one upsert ... RETURNING (a row lock),
  inside the transaction that inserts the ticket, so they are unique and have no gaps;
- call-next locks the ticket it takes with FOR UPDATE SKIP LOCKED on PostgreSQL, and the
  status change is conditional (`WHERE status = 'waiting'`), so two counters never get one ticket;
- a counter's own actions lock its row, so a double press never leaves two tickets open there.

Every state change writes an audit row; once it is committed, `events.queue_line_changed` or
`events.queue_ticket_called` tells the screens and panels.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, select, update
from sqlalchemy.orm import selectinload

import events
from extensions import db, upsert_into
from models import Counter, CounterService, CounterState, PriorityReason, QueueSequence, QueueStatus, QueueTicket
from services import audit
from services.errors import (Conflict, CounterMovedOn, InvalidTransition, NotAllowed, NotFound, QueueEmpty,
                             ServiceClosed, ValidationFailed)
from services.timeutil import local_now, local_today, utcnow

OPEN = (QueueStatus.CALLED, QueueStatus.SERVING)  # occupying a counter
STATE_REASON_MAX = 80
REPEAT_WINDOW = timedelta(seconds=1)  # a call-next that does not say what it finishes, this soon after a call


# --- issuing ------------------------------------------------------------------------------


def is_open(service, now=None):
    """Within one of the service's opening periods today (no periods: always open)."""
    if not service.hours:
        return True
    local = local_now(now)
    return any(h.weekday == local.weekday() and h.opens_at <= local.time() < h.closes_at for h in service.hours)


def next_number(service_id, day):
    """Increment and return the day's counter of a service (1 for its first ticket of the day),
    in one upsert that holds the row lock until commit."""
    table = QueueSequence.__table__
    upsert = upsert_into(table).values(service_id=service_id, day=day, last_number=1)
    return db.session.execute(
        upsert.on_conflict_do_update(index_elements=[table.c.service_id, table.c.day],
                                     set_={"last_number": table.c.last_number + 1})
        .returning(table.c.last_number)
    ).scalar_one()


def issue_ticket(service, priority=None, actor=None, now=None):
    now = now or utcnow()
    if not service.active:
        raise NotFound(_l("This service is not available."), field="service_id")
    if not is_open(service, now):
        raise ServiceClosed(_l("%(service)s is closed now.", service=service.name), field="service_id")
    priority = PriorityReason(priority) if priority else None
    day = local_today(now)
    number = next_number(service.id, day)
    ticket = QueueTicket(
        service_id=service.id, issued_service_id=service.id, issue_date=day, number=number,
        code=f"{service.prefix}-{number:03d}", priority=priority, issued_at=now,
    )
    db.session.add(ticket)
    db.session.flush()
    audit.record(actor, "queue.issued", "queue_ticket", ticket.id,
                 after={"code": ticket.code, "status": "waiting", "priority": priority and priority.value})
    db.session.commit()
    events.queue_line_changed.send([service.id])
    events.queue_ticket_issued.send(ticket)
    return ticket


# --- the line -------------------------------------------------------------------------------


def priority_rank():
    """0 for priority tickets, 1 for the rest: sorts priority first."""
    return case((QueueTicket.priority.is_(None), 1), else_=0)


def counter_line(counter, now=None):
    """Today's waiting tickets this counter may call, in the order call-next takes them:
    the counter's preferred service first, then priority, then arrival."""
    service_order = select(CounterService.service_id, CounterService.position).where(
        CounterService.counter_id == counter.id).subquery()
    return (
        select(QueueTicket)
        .join(service_order, service_order.c.service_id == QueueTicket.service_id)
        .where(QueueTicket.status == QueueStatus.WAITING, QueueTicket.issue_date == local_today(now))
        .order_by(service_order.c.position, priority_rank(), QueueTicket.issued_at, QueueTicket.id)
    )


def waiting_for_counter(counter, limit=200):
    return db.session.scalars(counter_line(counter).options(selectinload(QueueTicket.service)).limit(limit)).all()


def people_ahead(ticket):
    rank, my_rank = priority_rank(), 0 if ticket.priority else 1
    return db.session.scalar(
        select(func.count()).select_from(QueueTicket).where(
            QueueTicket.service_id == ticket.service_id, QueueTicket.status == QueueStatus.WAITING,
            QueueTicket.issue_date == ticket.issue_date, QueueTicket.id != ticket.id,
            (rank < my_rank) | ((rank == my_rank) & ((QueueTicket.issued_at < ticket.issued_at) | (
                (QueueTicket.issued_at == ticket.issued_at) & (QueueTicket.id < ticket.id)))),
        )
    )


def find_by_token(token):
    ticket = db.session.scalar(select(QueueTicket).where(QueueTicket.token == token))
    if ticket is None:
        raise NotFound(_l("This queue ticket does not exist."))
    return ticket


# --- at the counter ---------------------------------------------------------------------------


def _change(ticket, actor, action, allowed_from, **values):
    """Apply a state change if the ticket is in one of `allowed_from`, with its audit row."""
    if ticket.status not in allowed_from:
        raise InvalidTransition(
            _l("Queue ticket %(code)s is %(status)s; that action is not possible now.",
               code=ticket.code, status=status_label(ticket.status)))
    before = {"status": ticket.status.value, "service_id": ticket.service_id, "counter_id": ticket.counter_id}
    for name, value in values.items():
        setattr(ticket, name, value)
    after = {"status": ticket.status.value, "service_id": ticket.service_id, "counter_id": ticket.counter_id}
    audit.record(actor, action, "queue_ticket", ticket.id, before=before, after=after)


def _check_at_counter(ticket, counter):
    """A counter acts on its own tickets, and on waiting ones of the services it serves."""
    if ticket.counter_id is None and ticket.service_id not in served_service_ids(counter):
        raise NotAllowed(_l("This counter does not serve %(service)s.", service=ticket.service.name))
    if ticket.counter_id not in (None, counter.id):
        raise NotAllowed(_l("Queue ticket %(code)s belongs to another counter.", code=ticket.code))


def finish_open_tickets(counter, staff, now):
    for ticket in db.session.scalars(select(QueueTicket).where(QueueTicket.counter_id == counter.id,
                                                               QueueTicket.status.in_(OPEN))):
        _change(ticket, staff, "queue.done", OPEN, status=QueueStatus.DONE, finished_at=now)


def _take(ticket_id, counter, staff, now):
    """Move a waiting ticket to this counter; False when another counter took it first."""
    result = db.session.execute(
        update(QueueTicket).where(QueueTicket.id == ticket_id, QueueTicket.status == QueueStatus.WAITING)
        .values(status=QueueStatus.CALLED, counter_id=counter.id, staff_id=staff.id,
                # the first call stays the end of waiting; `now` bound with the column's UTC type
                called_at=func.coalesce(QueueTicket.called_at, literal(now, QueueTicket.called_at.type)),
                last_called_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def lock_counter(counter):
    """Serialise the actions of one counter (a double press must not call two tickets there)."""
    db.session.execute(select(Counter.id).where(Counter.id == counter.id).with_for_update())


def call_next(counter, staff, finishing=None, refuse_repeats=False, now=None):
    """Finish what the counter has open, then call the next ticket of its services.

    `finishing` is what the caller saw open at the counter (ticket ids; empty: nothing), which this
    call finishes. When the counter has moved on since (a second tab, a double tap, a client's
    retry acted first), nothing changes and CounterMovedOn says so, so nobody is finished unseen
    and nobody is skipped. A caller that cannot say (an API client) asks `refuse_repeats`: what
    is open is finished unless it was called less than REPEAT_WINDOW ago, which is a repeated
    request. A counter on a break or closed opens again: calling is working."""
    now = now or utcnow()
    lock_counter(counter)
    db.session.refresh(counter)  # its state as the lock found it, not as this session last read it
    open_tickets = counter_tickets(counter, OPEN)
    if finishing is not None and {ticket.id for ticket in open_tickets} != set(finishing):
        db.session.rollback()
        raise CounterMovedOn(_l("This counter has moved on (another window or a repeated click acted first). "
                                "Nothing was changed: look again."))
    if refuse_repeats and any(ticket.last_called_at and now - ticket.last_called_at < REPEAT_WINDOW
                              for ticket in open_tickets):
        db.session.rollback()
        raise CounterMovedOn(_l("%(code)s was called a moment ago: a repeated request calls no one else.",
                                code=open_tickets[-1].code))
    reopened = _set_state(counter, staff, CounterState.OPEN, "", now)
    finish_open_tickets(counter, staff, now)
    while True:
        candidate = db.session.scalar(
            counter_line(counter, now).with_only_columns(QueueTicket.id)
            .limit(1).with_for_update(skip_locked=True, of=QueueTicket)
        )
        if candidate is None:
            db.session.commit()  # the finished tickets stay finished
            events.queue_line_changed.send(served_service_ids(counter))
            if reopened:
                events.counter_state_changed.send(counter)
            raise QueueEmpty(_l("Nobody is waiting for this counter."))
        if _take(candidate, counter, staff, now):
            break
    ticket = _called(db.session.get(QueueTicket, candidate, populate_existing=True), counter, staff)
    if reopened:
        events.counter_state_changed.send(counter)
    return ticket


def call_ticket(ticket, counter, staff, now=None):
    """Call a specific waiting ticket from the list."""
    now = now or utcnow()
    _check_at_counter(ticket, counter)
    lock_counter(counter)
    finish_open_tickets(counter, staff, now)
    if (ticket.status != QueueStatus.WAITING or ticket.issue_date != local_today(now)
            or not _take(ticket.id, counter, staff, now)):
        db.session.rollback()
        raise InvalidTransition(_l("Queue ticket %(code)s is no longer waiting.", code=ticket.code))
    db.session.refresh(ticket)
    return _called(ticket, counter, staff)


def _called(ticket, counter, staff):
    """Audit, commit and announce a ticket just taken by a counter."""
    audit.record(staff, "queue.called", "queue_ticket", ticket.id, before={"status": "waiting"},
                 after={"status": "called", "counter_id": counter.id})
    db.session.commit()
    events.queue_ticket_called.send(ticket, recall=False)
    return ticket


def recall(ticket, counter, staff, now=None):
    _check_at_counter(ticket, counter)
    _change(ticket, staff, "queue.recalled", (QueueStatus.CALLED,), recalls=ticket.recalls + 1,
            last_called_at=now or utcnow())
    db.session.commit()
    events.queue_ticket_called.send(ticket, recall=True)
    return ticket


def start_service(ticket, counter, staff, now=None):
    _check_at_counter(ticket, counter)
    _change(ticket, staff, "queue.serving", (QueueStatus.CALLED,), status=QueueStatus.SERVING,
            serving_started_at=now or utcnow())
    return _commit_and_tell(ticket)


def finish(ticket, counter, staff, now=None):
    _check_at_counter(ticket, counter)
    _change(ticket, staff, "queue.done", OPEN, status=QueueStatus.DONE, finished_at=now or utcnow())
    return _commit_and_tell(ticket)


def mark_no_show(ticket, counter, staff, now=None):
    _check_at_counter(ticket, counter)
    _change(ticket, staff, "queue.no_show", (QueueStatus.CALLED, QueueStatus.ON_HOLD),
            status=QueueStatus.NO_SHOW, finished_at=now or utcnow())
    return _commit_and_tell(ticket)


def hold(ticket, counter, staff):
    _check_at_counter(ticket, counter)
    _change(ticket, staff, "queue.on_hold", OPEN, status=QueueStatus.ON_HOLD)
    return _commit_and_tell(ticket)


def resume(ticket, counter, staff, now=None):
    """Bring a parked ticket back to the counter and announce it."""
    _check_at_counter(ticket, counter)
    now = now or utcnow()
    lock_counter(counter)
    finish_open_tickets(counter, staff, now)
    _change(ticket, staff, "queue.resumed", (QueueStatus.ON_HOLD,), status=QueueStatus.CALLED,
            counter_id=counter.id, staff_id=staff.id, last_called_at=now)
    db.session.commit()
    events.queue_ticket_called.send(ticket, recall=True)
    return ticket


def transfer(ticket, service, counter, staff):
    """Send the ticket to another service's line; it keeps its place by arrival time."""
    _check_at_counter(ticket, counter)
    if not service.active:
        raise NotFound(_l("This service is not available."), field="service_id")
    if service.id == ticket.service_id:
        raise InvalidTransition(_l("The queue ticket is already in %(service)s.", service=service.name))
    old_service_id, was_called = ticket.service_id, ticket.status != QueueStatus.WAITING
    _change(ticket, staff, "queue.transferred",
            (QueueStatus.WAITING, QueueStatus.CALLED, QueueStatus.SERVING, QueueStatus.ON_HOLD),
            status=QueueStatus.WAITING, service_id=service.id, counter_id=None, staff_id=None,
            serving_started_at=None)
    db.session.commit()
    events.queue_line_changed.send([old_service_id, service.id])
    if was_called:  # screens showed it called at this counter: it is back in a line now
        events.queue_ticket_withdrawn.send(ticket)
    return ticket


def cancel(ticket, actor=None):
    """The person gives up their place (from the status page) before being called."""
    _change(ticket, actor, "queue.cancelled", (QueueStatus.WAITING,), status=QueueStatus.CANCELLED,
            finished_at=utcnow())
    return _commit_and_tell(ticket)


def _commit_and_tell(ticket):
    db.session.commit()
    events.queue_line_changed.send([ticket.service_id])
    return ticket





# --- counters -------------------------------------------------------------------------------------


def served_service_ids(counter):
    return [link.service_id for link in counter.service_links]


def counter_tickets(counter, statuses):
    return db.session.scalars(
        select(QueueTicket).options(selectinload(QueueTicket.service))
        .where(QueueTicket.counter_id == counter.id, QueueTicket.status.in_(statuses))
        .order_by(QueueTicket.last_called_at)
    ).all()


def status_label(status):
    labels = {
        QueueStatus.WAITING: _l("waiting"),
        QueueStatus.CALLED: _l("called"),
        QueueStatus.SERVING: _l("being served"),
        QueueStatus.ON_HOLD: _l("on hold"),
        QueueStatus.DONE: _l("served"),
        QueueStatus.NO_SHOW: _l("no-show"),
        QueueStatus.CANCELLED: _l("cancelled"),
    }
    return labels[QueueStatus(status)]


def ensure_counter(staff):
    if staff.counter is None or not staff.counter.active:
        raise Conflict(_l("Choose your counter first."))
    return staff.counter


def counters_for(staff):
    """The active counters this staff member may pick: their allowed ones, or all of them."""
    allowed = [c for c in staff.allowed_counters if c.active]
    if allowed or staff.allowed_counters:
        return allowed
    return db.session.scalars(select(Counter).where(Counter.active.is_(True))
                              .order_by(Counter.position, Counter.name)).all()


def take_counter(staff, counter):
    """A staff member sits at a counter (their assigned one, or another one they may pick)."""
    if not counter.active or (staff.allowed_counters and counter not in staff.allowed_counters):
        raise NotAllowed(_l("You may not work at %(counter)s.", counter=counter.name), field="counter_id")
    if staff.counter_id != counter.id:
        audit.record(staff, "user.counter_changed", "user", staff.id, before={"counter_id": staff.counter_id},
                     after={"counter_id": counter.id})
        # The person at the desk moves: so do the numbers they had open or on hold.
        if staff.counter_id is not None:
            db.session.execute(
                update(QueueTicket)
                .where(QueueTicket.counter_id == staff.counter_id, QueueTicket.staff_id == staff.id,
                       QueueTicket.status.in_((*OPEN, QueueStatus.ON_HOLD)))
                .values(counter_id=counter.id).execution_options(synchronize_session=False))
        staff.counter = counter
        db.session.commit()
    return counter


# --- the counter's state ---------------------------------------------------------------------


def counter_state_label(state):
    return {
        CounterState.OPEN: _l("open"),
        CounterState.BREAK: _l("on a break"),
        CounterState.CLOSED: _l("closed"),
    }[CounterState(state)]


def set_counter_state(counter, staff, state, reason="", now=None):
    """The counter's staff take a break or close it, with a reason the call screens show, or open
    it again. Its waiting line stays as it is; estimates stop counting it while it is not open.
    A counter with someone called to it stays open until that person is finished or parked."""
    now = now or utcnow()
    try:
        state = CounterState(state)
    except ValueError:
        raise ValidationFailed(_l("Choose open, a break or closed."), field="state") from None
    reason = " ".join((reason or "").split()) if state != CounterState.OPEN else ""
    if len(reason) > STATE_REASON_MAX:
        raise ValidationFailed(_l("At most %(count)d characters.", count=STATE_REASON_MAX), field="reason")
    lock_counter(counter)
    db.session.refresh(counter)
    busy = counter_tickets(counter, OPEN)
    if state != CounterState.OPEN and busy:
        db.session.rollback()
        raise Conflict(_l("Finish or hold %(code)s first.", code=busy[0].code), field="state")
    changed = _set_state(counter, staff, state, reason, now)
    db.session.commit()
    if changed:
        events.counter_state_changed.send(counter)
    return counter


def _set_state(counter, actor, state, reason, now):
    """Change the counter's state with its audit row (not committed); False when it already was."""
    if (counter.state, counter.state_reason) == (state, reason):
        return False
    before = {"state": counter.state.value, "reason": counter.state_reason}
    counter.state, counter.state_reason, counter.state_changed_at = state, reason, now
    audit.record(actor, "counter.state_changed", "counter", counter.id, before=before,
                 after={"state": state.value, "reason": reason})
    return True


DAY_END_OUTCOME = {
    QueueStatus.WAITING: QueueStatus.CANCELLED,
    QueueStatus.CALLED: QueueStatus.NO_SHOW,
    QueueStatus.ON_HOLD: QueueStatus.NO_SHOW,
    QueueStatus.SERVING: QueueStatus.DONE,
}


def close_past_days(now=None):
    """Settle the queue tickets earlier local days left open, so their status pages and the
    statistics tell the truth. Safe to run any number of times; returns how many it closed."""
    now = now or utcnow()
    leftovers = db.session.scalars(
        select(QueueTicket).where(QueueTicket.issue_date < local_today(now),
                                  QueueTicket.status.in_(list(DAY_END_OUTCOME)))
    ).all()
    for ticket in leftovers:
        _change(ticket, None, "queue.closed_at_day_end", (ticket.status,),
                status=DAY_END_OUTCOME[ticket.status], finished_at=now)
    db.session.commit()
    return len(leftovers)
