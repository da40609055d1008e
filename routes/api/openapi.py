"""The OpenAPI 3 document of the JSON API, built with apispec from the marshmallow schemas the
routes validate requests with and dump responses with, so what is documented is what is enforced
and answered.

Each operation is declared here by endpoint; paths come from the app's URL map. A route under
/api with no declaration is left out of the document, and tests/test_openapi.py fails on it.
"""
import copy
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from routes.api.auth import LoginSchema, TokenSchema, UserSchema
from routes.api.queue import CallNextSchema, IssueSchema
from routes.api.schemas import (CommentCreateSchema, FiledTicketSchema, StatsArgsSchema, TicketCreateSchema,
                                TicketListArgsSchema, TicketUpdateSchema)
from routes.api.serializers import (CategorySchema, CommentSchema, DashboardStatsSchema, PrioritySchema, RefSchema,
                                    StatusSchema, TicketDetailSchema, TicketPageSchema, TicketSchema)
from routes.queue.schemas import CalledQueueTicketSchema, IssuedQueueTicketSchema
from services.queue.display import DisplayStateSchema
from web.errors import ErrorSchema

OPENAPI_VERSION = "3.0.3"
RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


# --- operations ---------------------------------------------------------------------------------

ERROR_RESPONSES = {
    400: "Missing or invalid fields; `fields` names them.",
    401: "No Bearer token, or one that is invalid, expired or revoked.",
    403: "Your role or the ticket's rules do not allow this.",
    404: "Not found, or not yours to see.",
    409: "The ticket's state does not allow this (e.g. a transition from its status).",
    429: "Too many attempts.",
    503: "Not ready: the desk is not set up yet (`setup_required`), or the helpdesk has no category to file "
         "under yet (`helpdesk_not_ready`).",
}


def json_content(schema):
    return {"application/json": {"schema": schema}}


def operation(summary, tag, *, ok=200, response=None, body=None, body_required=True, query=None, errors=(),
              public=False, description=None):
    """One operation: its body and query schemas, its success response and the errors it gives."""
    result = {"summary": summary, "tags": [tag], "responses": {}}
    if description:
        result["description"] = description
    if body is not None:
        result["requestBody"] = {"required": body_required, "content": json_content(body)}
    if query is not None:
        result["parameters"] = [{"in": "query", "schema": query}]
    success = {"description": "No content" if ok == 204 else "OK"}
    if response is not None:
        success["content"] = json_content(response)
    result["responses"][str(ok)] = success
    for status in sorted(set(errors) | (set() if public else {401})):
        result["responses"][str(status)] = f"Error{status}"
    result["security"] = [] if public else [{"bearerAuth": []}]
    return result


def array_of(schema):
    return {"type": "array", "items": schema}


OPERATIONS = {
    "api.login": {"post": operation(
        "Sign in with an email or username and password; returns a Bearer token", "auth",
        body=LoginSchema, response=TokenSchema, errors=(400, 401, 403, 429), public=True)},
    "api.me": {"get": operation("The account the token belongs to", "auth", response=UserSchema)},
    "api_queue.issue": {"post": operation(
        "Issue a queue ticket for a service (registrar, admin)", "queue", ok=201, body=IssueSchema,
        response=IssuedQueueTicketSchema, errors=(400, 403, 409))},
    "api_queue.call_next": {"post": operation(
        "Call the next queue ticket to the caller's counter (staff)", "queue", body=CallNextSchema, body_required=False,
        response=CalledQueueTicketSchema, errors=(400, 403, 409),
        description="The body may be empty; `counter_id` moves the caller to that counter first.")},
    "api_queue.display": {"get": operation(
        "What a call screen shows: the current call, the ones before it, waiting counts", "queue",
        response=DisplayStateSchema, public=True)},
    "api_tickets.ticket_list": {"get": operation(
        "One page of the tickets you may see", "tickets", query=TicketListArgsSchema, response=TicketPageSchema,
        errors=(400,))},
    "api_tickets.ticket_create": {"post": operation(
        "File a ticket", "tickets", ok=201, body=TicketCreateSchema, response=FiledTicketSchema, errors=(400, 503),
        description="`title`, `description` and `category_id` are required, under their English or their "
                    "SoportePlus names. The Location header gives the new ticket's URL. What was sent but not "
                    "used (an unknown field, a priority the caller may not choose) is listed in `ignored`.")},
    "api_tickets.ticket_get": {"get": operation(
        "A ticket with its conversation (internal notes for staff only)", "tickets",
        response=TicketDetailSchema, errors=(404,))},
    "api_tickets.ticket_update": {"put": operation(
        "Change a ticket: only the fields sent", "tickets", body=TicketUpdateSchema, response=TicketSchema,
        errors=(400, 403, 404, 409),
        description="The requester may edit title and description while the ticket is open and may close or "
                    "reopen it; staff change the rest; admins assign.")},
    "api_tickets.ticket_delete": {"delete": operation(
        "Delete a ticket with its conversation and files (admin)", "tickets", ok=204, errors=(403, 404))},
    "api_tickets.comment_create": {"post": operation(
        "Reply on a ticket, or (staff) write an internal note", "tickets", ok=201, body=CommentCreateSchema,
        response=CommentSchema, errors=(400, 403, 404, 409))},
    "api_tickets.categories": {"get": operation(
        "Active categories with their area", "catalogues", response=array_of(CategorySchema))},
    "api_tickets.ticket_statuses": {"get": operation(
        "Ticket statuses with their label and the statuses each may move to", "catalogues",
        response=array_of(StatusSchema))},
    "api_tickets.priorities": {"get": operation(
        "Priorities with their response and resolution hours", "catalogues", response=array_of(PrioritySchema))},
    "api_tickets.locations": {"get": operation("Active locations", "catalogues", response=array_of(RefSchema))},
    "api_tickets.dashboard_stats": {"get": operation(
        "Counters over the tickets you may see, and tickets created and closed per day", "tickets",
        query=StatsArgsSchema, response=DashboardStatsSchema, errors=(400,))},
    "api_docs.openapi": {"get": operation("This document", "docs", response={"type": "object"}, public=True)},
}


def openapi_path(rule):
    """`/tickets/<int:ticket_id>` → `/tickets/{ticket_id}` and its path parameters."""
    parameters = [{"in": "path", "name": match["name"], "required": True,
                   "schema": {"type": "integer"} if match["converter"] == "int" else {"type": "string"}}
                  for match in RULE_ARGUMENT.finditer(rule)]
    return RULE_ARGUMENT.sub(lambda match: "{" + match["name"] + "}", rule), parameters


def build_spec(app):
    spec = APISpec(title=f"{app.config['ORGANISATION_NAME']} API", version="1.0.0", openapi_version=OPENAPI_VERSION,
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Walk-in queue and helpdesk. Sign in with POST /api/auth/login and send "
                                        "`Authorization: Bearer <access_token>`. Errors are JSON: "
                                        "{error, message, fields}."})
    spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    spec.components.schema("Error", schema=ErrorSchema)
    for status, description in ERROR_RESPONSES.items():
        spec.components.response(f"Error{status}", {"description": description, "content": json_content(ErrorSchema)})
    rules = {}
    for rule in app.url_map.iter_rules():
        rules.setdefault(rule.endpoint, []).append(rule)
    for endpoint, operations in OPERATIONS.items():
        for rule in rules.get(endpoint, []):
            missing = {method.upper() for method in operations} - rule.methods
            if missing:
                raise LookupError(f"{endpoint} documents {sorted(missing)}, which {rule.rule} does not answer")
            path, parameters = openapi_path(rule.rule)
            # apispec resolves schemas in place: give it a copy, the table serves every app built.
            spec.path(path=path, operations=copy.deepcopy(operations), parameters=parameters or None)
    return spec.to_dict()


def openapi_document(app):
    """Built once per application: the routes do not change while it runs."""
    if "openapi" not in app.extensions:
        app.extensions["openapi"] = build_spec(app)
    return app.extensions["openapi"]
