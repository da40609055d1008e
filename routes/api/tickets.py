"""Helpdesk JSON API on the SoportePlus paths (Bearer token). The same service functions as the
pages, so visibility, transitions and assignment rules are the pages' own: a ticket the caller
may not see is a 404, a rule that forbids the change a 403, a transition the status does not
allow a 409.
"""
from flask import Blueprint, jsonify, request, url_for
from flask_babel import gettext as _
from flask_jwt_extended import current_user, jwt_required

from models import Role
from routes.api import no_content
from routes.api.requests import json_body, query_args
from routes.api.schemas import (CommentCreateSchema, StatsArgsSchema, TicketCreateSchema, TicketListArgsSchema,
                                TicketUpdateSchema)
from routes.api.serializers import (CategorySchema, CommentSchema, PrioritySchema, RefSchema, statuses, ticket_detail,
                                    ticket_json, ticket_page)
from services.errors import DomainError
from services.helpdesk import catalogues
from services.helpdesk import tickets as ticket_service
from services.helpdesk.access import is_staff_for, visible_ticket
from services.helpdesk.queries import TicketFilters, list_tickets
from services.helpdesk.readiness import require_taking_tickets
from services.helpdesk.stats import created_and_closed_per_day, overview

bp = Blueprint("api_tickets", __name__)

DEFAULT_SCOPE = {Role.ADMIN: "all", Role.AGENT: "assigned"}


def in_client_names(error, field_names):
    """A service names fields in English; answer with the names the client sent."""
    if error.field in field_names:
        error.field = field_names[error.field]
    return error


# --- tickets ------------------------------------------------------------------------------------


@bp.get("/tickets")
@jwt_required()
def ticket_list():
    args, error = query_args(TicketListArgsSchema(only=TicketListArgsSchema.PAGING))
    if error:
        return error
    filters = TicketFilters.from_args(request.args)
    scope = args.get("scope") or DEFAULT_SCOPE.get(current_user.role, "mine")
    page = list_tickets(current_user, scope, filters, page=args["page"], per_page=args["per_page"])
    return jsonify(ticket_page(page))


@bp.post("/tickets")
@jwt_required()
def ticket_create():
    require_taking_tickets()  # 503 helpdesk_not_ready, whatever the body holds
    data, error = json_body(TicketCreateSchema())
    if error:
        return error
    field_names = data.pop("field_names")
    ignored = ignored_when_filing(data, field_names)
    try:
        ticket = ticket_service.file_ticket(requester=current_user, **data)
    except DomainError as failure:
        raise in_client_names(failure, field_names) from None
    response = jsonify(ticket_json(ticket) | {"ignored": ignored})
    response.headers["Location"] = url_for(".ticket_get", ticket_id=ticket.id)
    return response, 201


def ignored_when_filing(data, field_names):
    """What the request sent that filing does not use, named as sent and with the reason, so a
    client learns it instead of guessing: fields a ticket does not have, and a priority from
    someone the desk does not let choose it. Removes them from `data`."""
    ignored = [{"field": name, "reason": _("A ticket has no such field.")} for name in data.pop("unknown_fields")]
    if data.get("priority_id") is not None and not ticket_service.may_choose_priority(current_user):
        data.pop("priority_id")
        ignored.append({"field": field_names.get("priority_id", "priority_id"),
                        "reason": _("On this desk only staff choose the priority; the category's was used.")})
    return ignored


@bp.get("/tickets/<int:ticket_id>")
@jwt_required()
def ticket_get(ticket_id):
    ticket = ticket_service.with_conversation(visible_ticket(ticket_id, current_user))
    comments = ticket_service.visible_comments(ticket, include_internal=is_staff_for(current_user, ticket))
    return jsonify(ticket_detail(ticket, comments))


@bp.put("/tickets/<int:ticket_id>")
@jwt_required()
def ticket_update(ticket_id):
    changes, error = json_body(TicketUpdateSchema())
    if error:
        return error
    ticket = visible_ticket(ticket_id, current_user, lock=True)
    field_names = changes.pop("field_names")
    try:
        ticket_service.edit_ticket(ticket, current_user, changes)
    except DomainError as failure:
        raise in_client_names(failure, field_names) from None
    return jsonify(ticket_json(ticket))


@bp.delete("/tickets/<int:ticket_id>")
@jwt_required()
def ticket_delete(ticket_id):
    ticket_service.delete_ticket(visible_ticket(ticket_id, current_user, lock=True), current_user)
    return no_content()


@bp.post("/tickets/<int:ticket_id>/comments")
@jwt_required()
def comment_create(ticket_id):
    data, error = json_body(CommentCreateSchema())
    if error:
        return error
    ticket = visible_ticket(ticket_id, current_user, lock=True)
    comment = ticket_service.add_comment(ticket, data["body"], current_user, internal=data["internal"])
    return jsonify(CommentSchema().dump(comment)), 201


# --- catalogues and figures -------------------------------------------------------------------------


@bp.get("/categorias")
@jwt_required()
def categories():
    return jsonify(CategorySchema(many=True).dump(catalogues.active_categories()))


@bp.get("/estados")
@jwt_required()
def ticket_statuses():
    return jsonify(statuses())


@bp.get("/criticidades")
@jwt_required()
def priorities():
    return jsonify(PrioritySchema(many=True).dump(catalogues.priorities_by_level()))


@bp.get("/ubicaciones")
@jwt_required()
def locations():
    return jsonify(RefSchema(many=True).dump(catalogues.active_locations()))


@bp.get("/dashboard/stats")
@jwt_required()
def dashboard_stats():
    args, error = query_args(StatsArgsSchema())
    if error:
        return error
    per_day = created_and_closed_per_day(current_user, days=args["days"])
    return jsonify(overview(current_user).as_dict() | {
        "per_day": [{"date": day.isoformat(), "created": created, "closed": closed}
                    for day, created, closed in per_day]})
