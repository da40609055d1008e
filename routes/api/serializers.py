"""What the helpdesk JSON API answers. The same schemas document the responses in /api/openapi.json.

They read only the ticket's columns and the many-to-one rows the list query joins in (category,
area, priority, location, assignee), so serialising a page issues no further queries.
"""
from marshmallow import Schema, fields

from models import TicketStatus
from services.helpdesk.tickets import TRANSITIONS, status_label
from services.timeutil import utcnow


def label_of(status):
    return str(status_label(status))


class RefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class PersonSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="display_name")


class PrioritySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    level = fields.Integer()
    response_hours = fields.Integer()
    resolution_hours = fields.Integer()


class TicketSchema(Schema):
    id = fields.Integer()
    number = fields.String(metadata={"example": "TKT-000123"})
    title = fields.String()
    description = fields.String()
    status = fields.Enum(TicketStatus, by_value=True, metadata={"type": "string"})
    status_label = fields.Function(lambda ticket: label_of(ticket.status), metadata={"type": "string"})
    category = fields.Nested(RefSchema)
    area = fields.Nested(RefSchema)
    priority = fields.Nested(PrioritySchema)
    location = fields.Nested(RefSchema, allow_none=True)
    requester_id = fields.Integer(allow_none=True, metadata={"description": "null when filed without an account"})
    requester_name = fields.String()
    requester_email = fields.String(allow_none=True)
    assignee = fields.Nested(PersonSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    first_response_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Function(lambda ticket: ticket.is_overdue(utcnow()), metadata={"type": "boolean"})


class AttachmentSchema(Schema):
    id = fields.Integer()
    name = fields.String(attribute="original_name")
    content_type = fields.String()
    size = fields.Integer()
    created_at = fields.DateTime()
    removed_at = fields.DateTime(allow_none=True, metadata={"description": "set once retention removed the file"})


class CommentSchema(Schema):
    id = fields.Integer()
    author_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    internal = fields.Boolean(metadata={"description": "an internal note, shown to staff only"})
    from_staff = fields.Boolean()
    body = fields.String()
    created_at = fields.DateTime()
    attachments = fields.List(fields.Nested(AttachmentSchema))


class TicketDetailSchema(TicketSchema):
    """A ticket with its conversation: the comments the caller may see and the ticket's own files."""

    comments = fields.List(fields.Nested(CommentSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))


class TicketPageSchema(Schema):
    items = fields.List(fields.Nested(TicketSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    total_capped = fields.Boolean(metadata={"description": "true when a search matched more than `total`"})
    pages = fields.Integer()


class CategorySchema(Schema):
    id = fields.Integer()
    name = fields.String()
    area = fields.Nested(RefSchema)
    default_priority_id = fields.Integer()


class StatusSchema(Schema):
    code = fields.String()
    label = fields.String()
    next = fields.List(fields.String(), metadata={"description": "statuses it may move to"})


class NamedCountSchema(Schema):
    name = fields.String()
    count = fields.Integer()


class WorkloadSchema(Schema):
    agent_id = fields.Integer()
    agent = fields.String()
    open = fields.Integer()
    overdue = fields.Integer()


class DayCountSchema(Schema):
    date = fields.Date()
    created = fields.Integer()
    closed = fields.Integer()


class DashboardStatsSchema(Schema):
    total = fields.Integer()
    open = fields.Integer(metadata={"description": "every status but closed"})
    unassigned = fields.Integer()
    urgent = fields.Integer(metadata={"description": "high and critical, not closed"})
    overdue = fields.Integer(metadata={"description": "open or in progress and past the due time (on hold: paused)"})
    due_soon = fields.Integer(metadata={"description": "open or in progress, not overdue, with at most the "
                                                      "`sla_warning_percent` share of the resolution time left "
                                                      "(working time)"})
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_category = fields.List(fields.Nested(NamedCountSchema))
    by_area = fields.List(fields.Nested(NamedCountSchema))
    workload = fields.List(fields.Nested(WorkloadSchema))
    per_day = fields.List(fields.Nested(DayCountSchema))


def ticket_page(page):
    return TicketPageSchema().dump(page)


def ticket_json(ticket):
    return TicketSchema().dump(ticket)


def ticket_detail(ticket, comments):
    """`comments` are those the caller may see; the ticket's own files are those on no comment."""
    return ticket_json(ticket) | {
        "comments": CommentSchema(many=True).dump(comments),
        "attachments": AttachmentSchema(many=True).dump([a for a in ticket.attachments if a.comment_id is None]),
    }


def statuses():
    return StatusSchema(many=True).dump([
        {"code": status.value, "label": label_of(status), "next": sorted(to.value for to in TRANSITIONS[status])}
        for status in TicketStatus])
