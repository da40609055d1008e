"""What the queue's screens show: the call screen (the current call, the ones before it, the
waiting counts), the payload of each call, and a person's status page with their estimate.

The same schemas shape the pages' first render, the Socket.IO events and the JSON API, and
/api/openapi.json documents them.
"""
from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from extensions import db
from models import Counter, CounterService, CounterState, QueueStatus, QueueTicket, Role, Service, User
from services.messaging.presence import online_ids
from services.queue.line import OPEN, counter_state_label, people_ahead
from services.settings import display_recent_count
from services.timeutil import local_today, seconds_between

DEFAULT_SERVICE_SECONDS = 300  # used for estimates until a service has finished tickets
RECENT_SAMPLE = 20  # finished tickets averaged for the estimate


class CallSchema(Schema):
    """A queue ticket called to a counter, as screens announce it."""

    ticket = fields.String(attribute="code", metadata={"example": "A-023"})
    spoken = fields.String(attribute="spoken_code", metadata={"description": "what the voice says: A 23"})
    service = fields.String(attribute="service.name")
    service_prefix = fields.String(attribute="service.prefix")
    color = fields.String(attribute="service.color")
    counter = fields.Function(lambda ticket: ticket.counter.name if ticket.counter else None, allow_none=True,
                              metadata={"type": "string"})
    called_at = fields.Function(lambda ticket: (ticket.last_called_at or ticket.called_at).isoformat(),
                                metadata={"type": "string", "format": "date-time"})
    recall = fields.Boolean(dump_default=False, metadata={"description": "a repeat of an earlier call"})


class DisplayServiceSchema(Schema):
    prefix = fields.String()
    name = fields.String()
    color = fields.String()


class CounterStateSchema(Schema):
    """A counter as screens show it: open, or on a break or closed with its staff's reason."""

    name = fields.String()
    state = fields.Enum(CounterState, by_value=True, metadata={"type": "string"})
    state_label = fields.Function(lambda counter: str(counter_state_label(counter.state)), metadata={"type": "string"})
    reason = fields.String(attribute="state_reason")
    services = fields.Function(lambda counter: [link.service.prefix for link in counter.service_links],
                               metadata={"type": "array", "items": {"type": "string"},
                                         "description": "prefixes of the services it calls, in its order"})


class DisplayStateSchema(Schema):
    current = fields.Nested(CallSchema, allow_none=True)
    recent = fields.List(fields.Nested(CallSchema))
    waiting = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "service prefix → people waiting"})
    services = fields.List(fields.Nested(DisplayServiceSchema))
    counters = fields.List(fields.Nested(CounterStateSchema))


class TicketStatusSchema(Schema):
    """What the person holding a queue ticket sees on its status page."""

    ticket = fields.String(attribute="code")
    spoken = fields.String(attribute="spoken_code")
    service = fields.String(attribute="service.name")
    service_prefix = fields.String(attribute="service.prefix")
    status = fields.Enum(QueueStatus, by_value=True, metadata={"type": "string"})
    people_ahead = fields.Integer()
    estimated_wait_seconds = fields.Integer(allow_none=True, metadata={
        "description": "null while waiting when no counter is calling this service now"})
    counters_open = fields.Integer(metadata={"description": "counters calling this service now"})
    counter = fields.Function(lambda ticket: ticket.counter.name if ticket.counter and ticket.status in OPEN else None,
                              allow_none=True, metadata={"type": "string"})
    issued_at = fields.DateTime()


def call_payload(ticket, recall=False):
    return CallSchema().dump(ticket) | {"recall": recall}


def active_services(prefixes=None):
    """Active services in their order, with opening hours loaded; only `prefixes` when given."""
    query = (select(Service).options(selectinload(Service.hours)).where(Service.active.is_(True))
             .order_by(Service.position, Service.prefix))
    if prefixes:
        query = query.where(Service.prefix.in_([p.upper() for p in prefixes]))
    return db.session.scalars(query).all()


def all_waiting_counts(now=None):
    """{prefix: waiting today} for every active service, in one query."""
    waiting = func.count(QueueTicket.id)
    rows = db.session.execute(
        select(Service.prefix, waiting)
        .outerjoin(QueueTicket, (QueueTicket.service_id == Service.id)
                   & (QueueTicket.status == QueueStatus.WAITING) & (QueueTicket.issue_date == local_today(now)))
        .where(Service.active.is_(True)).group_by(Service.id, Service.prefix)
    ).all()
    return dict(rows)


def waiting_counts(services, now=None):
    counts = all_waiting_counts(now)
    return {s.prefix: counts.get(s.prefix, 0) for s in services}


def counters_shown(services):
    """The active counters that call any of `services`, in their order, with their services loaded."""
    service_ids = [service.id for service in services]
    return db.session.scalars(
        select(Counter).options(selectinload(Counter.service_links).selectinload(CounterService.service))
        .where(Counter.active.is_(True),
               Counter.id.in_(select(CounterService.counter_id).where(CounterService.service_id.in_(service_ids))))
        .order_by(Counter.position, Counter.name)).all()


def counters_payload(services):
    return CounterStateSchema(many=True).dump(counters_shown(services))


def display_state(prefixes=None, recent_count=None, now=None):
    """Current call, the calls before it, waiting counts and the counters' states: what a call
    screen shows. `recent_count`: how many earlier calls (the Settings page's number by default)."""
    services = active_services(prefixes)
    calls = db.session.scalars(
        select(QueueTicket).options(selectinload(QueueTicket.service), selectinload(QueueTicket.counter))
        .where(QueueTicket.service_id.in_([s.id for s in services]), QueueTicket.last_called_at.is_not(None),
               QueueTicket.status != QueueStatus.WAITING,  # transferred back to a line
               QueueTicket.issue_date == local_today(now))
        .order_by(QueueTicket.last_called_at.desc())
        .limit((int(display_recent_count()) if recent_count is None else recent_count) + 1)
    ).all()
    return DisplayStateSchema().dump({
        "current": calls[0] if calls else None,
        "recent": calls[1:],
        "waiting": waiting_counts(services, now),
        "services": services,
        "counters": counters_shown(services),
    })


# --- a person's status page ---------------------------------------------------------------------


def average_service_seconds(service_id):
    """Mean time at the counter of the service's last RECENT_SAMPLE finished tickets."""
    # from the call at the counter that served it (a transferred ticket was called again there)
    started = func.coalesce(QueueTicket.serving_started_at, QueueTicket.last_called_at, QueueTicket.called_at)
    recent = (
        select(seconds_between(QueueTicket.finished_at, started).label("seconds"))
        .where(QueueTicket.service_id == service_id, QueueTicket.status == QueueStatus.DONE,
               QueueTicket.finished_at.is_not(None), started.is_not(None))
        .order_by(QueueTicket.finished_at.desc()).limit(RECENT_SAMPLE).subquery()
    )
    average = db.session.scalar(select(func.avg(recent.c.seconds)))
    return float(average) if average is not None else DEFAULT_SERVICE_SECONDS


def counters_open(service_id, now=None):
    """Counters calling this service now: active and open (not on a break, not closed), with a
    staff member at them who is signed in (a live page, see services/messaging/presence.py), and
    for whom this service is next in their order: it comes first, or nobody waits for any service
    they prefer before it."""
    rows = db.session.execute(
        select(Counter.id, CounterService.position, User.id)
        .join(CounterService, CounterService.counter_id == Counter.id)
        .join(User, User.counter_id == Counter.id)
        .where(CounterService.service_id == service_id, Counter.active.is_(True),
               Counter.state == CounterState.OPEN, User.active.is_(True), User.role == Role.STAFF)).all()
    online = online_ids({user_id for _, _, user_id in rows}, now)
    position = {counter_id: position for counter_id, position, user_id in rows if user_id in online}
    if not position:
        return 0
    preferred_before = db.session.execute(
        select(CounterService.counter_id, CounterService.position, Service.prefix)
        .join(Service, Service.id == CounterService.service_id)
        .where(CounterService.counter_id.in_(position))).all()
    waiting = all_waiting_counts(now)
    busy_elsewhere = {counter_id for counter_id, rank, prefix in preferred_before
                      if rank < position[counter_id] and waiting.get(prefix, 0) > 0}
    return len(set(position) - busy_elsewhere)


def ticket_status(ticket):
    """What the person holding the ticket sees on /t/<token>: people ahead and the estimated wait
    (recent average service time × people ahead ÷ counters calling this service now; none while
    no counter is)."""
    waiting = ticket.status == QueueStatus.WAITING
    ahead = people_ahead(ticket) if waiting else 0
    open_counters = counters_open(ticket.service_id) if waiting else 0
    estimate = None
    if waiting and open_counters:
        estimate = round(average_service_seconds(ticket.service_id) * ahead / open_counters)
    return TicketStatusSchema().dump(ticket) | {"people_ahead": ahead, "estimated_wait_seconds": estimate,
                                                "counters_open": open_counters}
