"""JSON API for the walk-in queue (Bearer token); the same service functions as the pages."""
from flask import Blueprint, jsonify
from flask_jwt_extended import current_user, jwt_required
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import joinedload

from extensions import db
from models import MAX_ID, Counter, PriorityReason, Role, Service
from routes.api import json_body, roles_allowed
from routes.queue import ticket_json
from services.queue import line as queue_service
from services.errors import DomainError

bp = Blueprint("api_queue", __name__)


class IssueSchema(Schema):
    service_id = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_ID))
    priority = fields.String(load_default=None, allow_none=True,
                             validate=validate.OneOf([p.value for p in PriorityReason]))


class CallNextSchema(Schema):
    counter_id = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(1, MAX_ID))


@bp.post("/tickets")
@jwt_required()
@roles_allowed(Role.REGISTRAR, Role.ADMIN)
def issue():
    data, error = json_body(IssueSchema())
    if error:
        return error
    service = db.session.get(Service, data["service_id"], options=[joinedload(Service.hours)])
    if service is None or not service.active:
        return jsonify(error="validation_error", message="Unknown service.",
                       fields={"service_id": "Unknown service."}), 400
    ticket = queue_service.issue_ticket(service, data["priority"], actor=current_user)
    body = ticket_json(ticket) | {"token": ticket.token, "people_ahead": queue_service.people_ahead(ticket)}
    return jsonify(body), 201


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
            return jsonify(error="validation_error", message="Unknown counter.",
                           fields={"counter_id": "Unknown or inactive counter."}), 400
        queue_service.take_counter(current_user, counter)
    counter = queue_service.ensure_counter(current_user)
    ticket = queue_service.call_next(counter, current_user)
    return jsonify(ticket_json(ticket) | {"counter": counter.name})


@bp.get("/display")
def display():
    return jsonify(queue_service.display_state())


@bp.errorhandler(DomainError)
def domain_error(error):
    db.session.rollback()
    return jsonify(error.to_dict()), error.status
