"""What the queue's JSON says about a queue ticket: the counter panel, the kiosk API and the
call-next API dump it with these schemas, and /api/openapi.json documents it with them."""
from flask_babel import gettext as _
from marshmallow import Schema, fields

from models import PriorityReason, QueueStatus
from services.queue.line import people_ahead, status_label


def priority_labels():
    return {
        PriorityReason.ELDERLY.value: _("Older adult"),
        PriorityReason.PREGNANT.value: _("Pregnancy"),
        PriorityReason.DISABILITY.value: _("Disability"),
    }


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
