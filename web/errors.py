"""Error responses: an HTML page for people, a JSON body for scripts and API clients, never a
bare 500. Every JSON error has one shape, `{error, message, fields?}`, made by `error_response`
and described by `ErrorSchema` in /api/openapi.json, in the request's language (web/i18n.py).

Under /api/ nothing is HTML: errors are JSON whatever raised them (a route, the URL map's 404 and
405, a body over MAX_CONTENT_LENGTH, the rate limiter, a crash), and an empty answer (a 204, an
automatic OPTIONS) carries no content type at all, where Flask would call it text/html."""
import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from extensions import db
from services.errors import DomainError

log = logging.getLogger(__name__)


class ErrorSchema(Schema):
    error = fields.String(metadata={"description": "machine-readable code, e.g. validation_error"})
    message = fields.String(metadata={"description": "in the caller's language"})
    # `fields` would shadow the schema's own attribute of that name
    fields_ = fields.Dict(keys=fields.String(), values=fields.Raw(metadata={"type": "string"}), attribute="fields",
                          data_key="fields", metadata={"description": "field name → what is wrong with it"})


def wants_json():
    """API calls and scripts asking for JSON get JSON errors; pages get HTML."""
    return is_api_request() or request.accept_mimetypes.best == "application/json"


def error_response(status, code, message, problems=None, **context):
    """A JSON error: `code` for programs, `message` for people (in their language), and when the
    problem is in what was sent, `problems`: each field with what is wrong with it (sent as `fields`).
    `context` adds what the caller needs to go on (e.g. the counter's `state` as it is now)."""
    body = {"error": code, "message": str(message)}
    if problems:
        # a list's items are named by their index: {"status": {"0": "Must be one of ..."}}
        body["fields"] = {name: problem if isinstance(problem, dict) else str(problem)
                          for name, problem in problems.items()}
    return jsonify(ErrorSchema().dump(body) | context), status


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected_error)
    app.after_request(empty_api_answers_have_no_type)


def is_api_request():
    return request.path.startswith("/api/")


def empty_api_answers_have_no_type(response):
    """A 204 has no body, and neither has an OPTIONS answer (Flask's own, or a CORS preflight):
    no content type either."""
    empty = response.status_code == 204 or (request.method == "OPTIONS" and not response.get_data())
    if empty and is_api_request():
        response.headers.pop("Content-Type", None)
        response.set_data(b"")
    return response


def messages():
    return {
        400: _("The request could not be understood."),
        401: _("Please sign in."),
        403: _("You do not have permission to see this page."),
        404: _("The page you are looking for does not exist."),
        405: _("This action is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. Please try again."),
    }


def render_error(status, message, code=None):
    if wants_json():
        return error_response(status, code or str(status), message)
    return render_template("errors/error.html", status=status, message=message), status


def handle_csrf_error(error):
    # CSRF is checked before the view is looked up: a POST to a path or method nothing answers
    # is that 404 or 405 (with Allow), not a form that expired.
    if isinstance(request.routing_exception, HTTPException):
        return handle_http_error(request.routing_exception)
    return render_error(400, _("The form expired or was sent from elsewhere. Reload the page and try again."),
                        code="csrf_failed")


def handle_http_error(error):
    message = messages().get(error.code, error.description)
    code = (error.name or "").lower().replace(" ", "_") or None
    body, status = render_error(error.code, message, code=code)
    response = current_app.make_response((body, status))
    for name, value in error.get_headers():  # a 405's Allow, a 429's Retry-After: what the client acts on
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_domain_error(error):
    db.session.rollback()
    if wants_json():
        return domain_error_response(error)
    return render_error(error.status, str(error.message), code=error.code)


def domain_error_response(error):
    """A service's refusal as JSON, naming the field it is about."""
    return error_response(error.status, error.code, error.message,
                          {error.field: error.message} if error.field else None)


def handle_unexpected_error(error):
    db.session.rollback()
    log.exception("Unhandled error")
    return render_error(500, messages()[500], code="server_error")
