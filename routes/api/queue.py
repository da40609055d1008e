"""JSON API of the walk-in queue (Bearer token, blueprint `api_queue`); the same service functions
and schemas as the pages."""
from flask import Blueprint, jsonify
from flask_babel import gettext as _
from flask_jwt_extended import current_user, jwt_required
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import joinedload

from extensions import db
from models import MAX_ID, Counter, PriorityReason, Role, Service
from routes.api.auth import roles_allowed
from routes.api.requests import json_body
from routes.queue.schemas import CalledQueueTicketSchema, IssuedQueueTicketSchema, counter_view
from services.errors import CounterMovedOn, DomainError
from services.queue import line
from services.queue.display import display_state
from web.errors import domain_error_response, error_response

bp = Blueprint("api_queue", __name__)


class IssueSchema(Schema):
    service_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_ID))
    priority = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf([p.value for p in PriorityReason]))


class CallNextSchema(Schema):
    counter_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(1, MAX_ID))
    current_ticket_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(1, MAX_ID), metadata={
        "description": "The queue ticket the caller sees at its counter, which this call finishes (null: none). "
                       "When the counter has moved on (another client or a retry acted first) nothing changes "
                       "and the answer is 409 with the counter's `state`. Without it, a call-next within a "
                       "second of the counter's last call is refused the same way, as a repeated request."})


@bp.post("/tickets")
@jwt_required()
@roles_allowed(Role.REGISTRAR, Role.ADMIN)
def issue():
    data, error = json_body(IssueSchema())
    if error:
        return error
    service = db.session.get(Service, data["service_id"], options=[joinedload(Service.hours)])
    if service is None or not service.active:
        return error_response(400, "validation_error", _("Some fields are missing or invalid."),
                              {"service_id": _("Unknown or closed service.")})
    ticket = line.issue_ticket(service, data["priority"], actor=current_user)
    return jsonify(IssuedQueueTicketSchema().dump(ticket)), 201


@bp.post("/call-next")
@jwt_required()
@roles_allowed(Role.STAFF)
def call_next():
    data, error = json_body(CallNextSchema(), allow_empty=True)
    if error:
        return error
    if data["counter_id"] is not None:
        counter = db.session.get(Counter, data["counter_id"])
        if counter is None or not counter.active:
            return error_response(400, "validation_error", _("Some fields are missing or invalid."),
                                  {"counter_id": _("Unknown or inactive counter.")})
        line.take_counter(current_user, counter)
    counter = line.ensure_counter(current_user)
    if "current_ticket_id" in data:
        finishing = [data["current_ticket_id"]] if data["current_ticket_id"] else []
        ticket = line.call_next(counter, current_user, finishing=finishing)
    else:
        ticket = line.call_next(counter, current_user, refuse_repeats=True)
    return jsonify(CalledQueueTicketSchema().dump(ticket))


@bp.get("/display")
def display():
    return jsonify(display_state())


@bp.errorhandler(DomainError)
def domain_error(error):
    db.session.rollback()
    if isinstance(error, CounterMovedOn) and current_user.counter is not None:
        return error_response(error.status, error.code, error.message,
                              state=counter_view(current_user.counter))
    return domain_error_response(error)
