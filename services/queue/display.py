"""What the queue's screens show: the call screen (the current call, the ones before it, the
waiting counts), the payload of each call, and a person's status page with their estimate.

The same schemas shape the pages' first render, the Socket.IO events and the JSON API, and
/api/openapi.json documents them.
"""
from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from extensions import db
from models import Counter, CounterService, QueueStatus, QueueTicket, Role, Service, User
from services.queue.line import OPEN, people_ahead
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


class DisplayStateSchema(Schema):
    current = fields.Nested(CallSchema, allow_none=True)
    recent = fields.List(fields.Nested(CallSchema))
    waiting = fields.Dict(keys=fields.String(), values=fields.Integer(),
                          metadata={"description": "service prefix → people waiting"})
    services = fields.List(fields.Nested(DisplayServiceSchema))


class TicketStatusSchema(Schema):
    """What the person holding a queue ticket sees on its status page."""

    ticket = fields.String(attribute="code")
    spoken = fields.String(attribute="spoken_code")
    service = fields.String(attribute="service.name")
    service_prefix = fields.String(attribute="service.prefix")
    status = fields.Enum(QueueStatus, by_value=True, metadata={"type": "string"})
    people_ahead = fields.Integer()
    estimated_wait_seconds = fields.Integer(allow_none=True)
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


def display_state(prefixes=None, now=None):
    """Current call, the calls before it, and waiting counts: what a call screen shows."""
    services = active_services(prefixes)
    calls = db.session.scalars(
        select(QueueTicket).options(selectinload(QueueTicket.service), selectinload(QueueTicket.counter))
        .where(QueueTicket.service_id.in_([s.id for s in services]), QueueTicket.last_called_at.is_not(None),
               QueueTicket.status != QueueStatus.WAITING,  # transferred back to a line
               QueueTicket.issue_date == local_today(now))
        .order_by(QueueTicket.last_called_at.desc()).limit(int(display_recent_count()) + 1)
    ).all()
    return DisplayStateSchema().dump({
        "current": calls[0] if calls else None,
        "recent": calls[1:],
        "waiting": waiting_counts(services, now),
        "services": services,
    })


# --- a person's status page ---------------------------------------------------------------------


def average_service_seconds(service_id):
    """Mean time at the counter of the service's last RECENT_SAMPLE finished tickets."""
    started = func.coalesce(QueueTicket.serving_started_at, QueueTicket.called_at)
    recent = (
        select(seconds_between(QueueTicket.finished_at, started).label("seconds"))
        .where(QueueTicket.service_id == service_id, QueueTicket.status == QueueStatus.DONE,
               QueueTicket.finished_at.is_not(None), started.is_not(None))
        .order_by(QueueTicket.finished_at.desc()).limit(RECENT_SAMPLE).subquery()
    )
    average = db.session.scalar(select(func.avg(recent.c.seconds)))
    return float(average) if average is not None else DEFAULT_SERVICE_SECONDS


def counters_open(service_id):
    """Active counters serving this service with an active staff member assigned."""
    return db.session.scalar(
        select(func.count(func.distinct(Counter.id)))
        .join(CounterService, CounterService.counter_id == Counter.id)
        .join(User, User.counter_id == Counter.id)
        .where(CounterService.service_id == service_id, Counter.active.is_(True), User.active.is_(True),
               User.role == Role.STAFF)
    )


def ticket_status(ticket):
    """What the person holding the ticket sees on /t/<token>: people ahead and the estimated wait
    (recent average service time × people ahead ÷ counters open)."""
    waiting = ticket.status == QueueStatus.WAITING
    ahead = people_ahead(ticket) if waiting else 0
    estimate = None
    if waiting:
        open_counters = max(counters_open(ticket.service_id), 1)
        estimate = round(average_service_seconds(ticket.service_id) * ahead / open_counters)
    return TicketStatusSchema().dump(ticket) | {"people_ahead": ahead, "estimated_wait_seconds": estimate}
