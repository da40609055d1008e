"""Request schemas of the helpdesk JSON API: what a body or a query string may hold.

Ticket bodies accept each field under its English name or under the Spanish name the SoportePlus
clients send (titulo, descripcion, id_categoria, id_criticidad, id_ubicacion), so those clients keep
working. Errors name the field the way the client wrote it.
"""
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates_schema

from models import MAX_ID, TicketStatus
from routes.api.serializers import TicketSchema
from services.helpdesk.queries import SCOPES, SEARCH_MAX, SORTS
from services.helpdesk.tickets import BODY_MAX, TITLE_MAX

MAX_PER_PAGE = 100
STATUSES = [status.value for status in TicketStatus]
# English name → SoportePlus name.
SEED_NAMES = {
    "title": "titulo",
    "description": "descripcion",
    "category_id": "id_categoria",
    "priority_id": "id_criticidad",
    "location_id": "id_ubicacion",
}
ENGLISH_NAMES = {spanish: english for english, spanish in SEED_NAMES.items()}


def row_id(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kwargs)


def seed_alias(english):
    return {"description": f"SoportePlus name of `{english}`; send one or the other."}


class TicketFieldsSchema(Schema):
    """The ticket fields both filing and editing take, under either name."""

    class Meta:
        unknown = EXCLUDE

    title = fields.String(validate=validate.Length(max=TITLE_MAX))
    titulo = fields.String(validate=validate.Length(max=TITLE_MAX), metadata=seed_alias("title"))
    description = fields.String(validate=validate.Length(max=BODY_MAX))
    descripcion = fields.String(validate=validate.Length(max=BODY_MAX), metadata=seed_alias("description"))
    category_id = row_id()
    id_categoria = row_id(metadata=seed_alias("category_id"))
    priority_id = row_id(metadata={
        "description": "Honoured for staff, and for everyone when Settings let requesters choose the priority; "
                       "otherwise the category's is used and the answer's `ignored` says so."})
    id_criticidad = row_id(metadata=seed_alias("priority_id"))
    location_id = row_id(allow_none=True)
    id_ubicacion = row_id(allow_none=True, metadata=seed_alias("location_id"))

    required_fields = ()

    @staticmethod
    def uses_seed_names(original):
        return isinstance(original, dict) and any(name in original for name in ENGLISH_NAMES)

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def one_name_each(self, data, original_data, **kwargs):
        errors = {}
        seed = self.uses_seed_names(original_data)
        for english, spanish in SEED_NAMES.items():
            if english in original_data and spanish in original_data:
                errors[spanish] = [str(_l("Send either %(spanish)s or %(english)s, not both.",
                                          spanish=spanish, english=english))]
            elif english in self.required_fields and english not in original_data \
                    and spanish not in original_data:
                errors[spanish if seed else english] = [self.fields[english].error_messages["required"]]
        if errors:
            raise ValidationError(errors)

    @post_load(pass_original=True)
    def to_english_names(self, data, original_data, **kwargs):
        """The services speak English; `field_names` maps their field names back to the client's."""
        changes = {ENGLISH_NAMES.get(name, name): value for name, value in data.items()}
        changes["field_names"] = dict(SEED_NAMES) if self.uses_seed_names(original_data) else {}
        return changes


class TicketCreateSchema(TicketFieldsSchema):
    """A new ticket: title, description and category are required (under either name). Fields it
    does not know are not refused but named back in the answer's `ignored` (see FiledTicketSchema)."""

    required_fields = ("title", "description", "category_id")

    @post_load(pass_original=True)
    def to_english_names(self, data, original_data, **kwargs):
        changes = super().to_english_names(data, original_data, **kwargs)
        changes["unknown_fields"] = sorted(name for name in original_data if name not in self.fields)
        return changes


class IgnoredFieldSchema(Schema):
    field = fields.String(metadata={"description": "the field as the request named it"})
    reason = fields.String(metadata={"description": "why it was ignored, in the caller's language"})


class FiledTicketSchema(TicketSchema):
    """The answer to filing: the new ticket, and what of the request it did not use."""

    ignored = fields.List(fields.Nested(IgnoredFieldSchema), metadata={
        "description": "Fields sent but not used, each with the reason: a field a ticket does not have, or "
                       "`priority_id` / `id_criticidad` from someone who may not choose the priority (the "
                       "category's was used). Empty when everything sent was used."})


class TicketUpdateSchema(TicketFieldsSchema):
    """Only the fields sent change; `assignee_id: null` unassigns, `location_id: null` clears."""

    priority_id = row_id()
    assignee_id = row_id(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))


class CommentCreateSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    body = fields.String(required=True, validate=validate.Length(max=BODY_MAX))
    internal = fields.Boolean(load_default=False, metadata={"description": "An internal note (staff only)."})


class TicketListArgsSchema(Schema):
    """Query string of the ticket list. page, per_page and scope are read here; the filters by
    TicketFilters.from_args, which the HTML lists use too."""

    class Meta:
        unknown = EXCLUDE

    scope = fields.String(validate=validate.OneOf(SCOPES), metadata={
        "description": "mine: filed by me; assigned: my work as an agent; all: everything I may see. "
                       "Default: all for admins, assigned for agents, mine for everyone else."})
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(1, MAX_PER_PAGE))
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES)),
                         metadata={"description": "Repeat for several statuses."})
    priority_id = row_id()
    category_id = row_id()
    area_id = row_id()
    assignee_id = fields.String(metadata={"description": "An agent's id, or `none` for unassigned tickets."})
    date_from = fields.Date(metadata={"description": "Created on or after this local date."})
    date_to = fields.Date(metadata={"description": "Created on or before this local date."})
    overdue = fields.Boolean(metadata={"description": "Past their due time (working time), not on hold or closed."})
    due_soon = fields.Boolean(metadata={"description": "Not overdue yet, but within the warning share of their "
                                                       "resolution time (Settings)."})
    q = fields.String(validate=validate.Length(max=SEARCH_MAX),
                      metadata={"description": "Search number, title, requester and description."})
    sort = fields.String(validate=validate.OneOf(list(SORTS)))
    direction = fields.String(validate=validate.OneOf(["asc", "desc"]))

    PAGING = ("scope", "page", "per_page")


class StatsArgsSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    days = fields.Integer(load_default=30, validate=validate.Range(1, 366),
                          metadata={"description": "How many local days the per-day series covers."})
