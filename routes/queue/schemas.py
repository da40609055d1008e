"""What the queue's JSON says about a queue ticket: the counter panel, the kiosk API and the
call-next API dump it with these schemas, and /api/openapi.json documents it with them."""
from marshmallow import Schema, fields

from models import QueueStatus
from services.queue.labels import priority_labels
from services.queue.line import OPEN, counter_tickets, people_ahead, status_label, waiting_for_counter


class QueueTicketSchema(Schema):
    id = fields.Integer()
    ticket = fields.String(attribute="code", metadata={"example": "A-023"})
    service = fields.String(attribute="service.name")
    service_prefix = fields.String(attribute="service.prefix")
    priority = fields.Function(lambda ticket: priority_labels().get(ticket.priority.value) if ticket.priority else None,
                               allow_none=True, metadata={"type": "string", "description": "why it goes first"})
    status = fields.Enum(QueueStatus, by_value=True, metadata={"type": "string"})
    status_label = fields.Function(lambda ticket: str(status_label(ticket.status)), metadata={"type": "string"})
    issued_at = fields.DateTime()


class IssuedQueueTicketSchema(QueueTicketSchema):
    token = fields.String(metadata={"description": "secret of the ticket's follow-up page"})
    people_ahead = fields.Function(people_ahead, metadata={"type": "integer"})


class CalledQueueTicketSchema(QueueTicketSchema):
    counter = fields.String(attribute="counter.name")


def queue_ticket_json(ticket):
    return QueueTicketSchema().dump(ticket)


def counter_view(counter):
    """A counter as its panel shows it: the tickets at it, those parked, and its waiting line."""
    many = QueueTicketSchema(many=True)
    return {
        "counter": counter.name,
        "current": many.dump(counter_tickets(counter, OPEN)),
        "on_hold": many.dump(counter_tickets(counter, (QueueStatus.ON_HOLD,))),
        "waiting": many.dump(waiting_for_counter(counter)),
    }
