"""Error responses: an HTML page for people, a JSON body for API clients. Never a bare 500."""
import logging

from flask import jsonify, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from extensions import db
from security import wants_json
from services.errors import DomainError

log = logging.getLogger(__name__)


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(Exception, handle_unexpected_error)


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
        return jsonify(error=code or str(status), message=message), status
    return render_template("errors/error.html", status=status, message=message), status


def handle_csrf_error(error):
    return render_error(400, _("The form expired or was sent from elsewhere. Reload the page and try again."),
                        code="csrf_failed")


def handle_http_error(error):
    message = messages().get(error.code, error.description)
    code = (error.name or "").lower().replace(" ", "_") or None
    return render_error(error.code, message, code=code)


def handle_domain_error(error):
    db.session.rollback()
    if wants_json():
        return jsonify(error.to_dict()), error.status
    return render_error(error.status, str(error.message), code=error.code)


def handle_unexpected_error(error):
    db.session.rollback()
    log.exception("Unhandled error")
    return render_error(500, messages()[500], code="server_error")
