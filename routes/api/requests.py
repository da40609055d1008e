"""Reading an API request: its JSON body or its query string, loaded with a marshmallow schema.
What is wrong comes back as a 400 naming each field, in the caller's language (marshmallow's own
messages too: routes/api/messages.py)."""
from flask import request
from flask_babel import gettext as _
from marshmallow import ValidationError

from routes.api.messages import translated
from web.errors import error_response


def json_body(schema, allow_empty=False):
    """(data, None), or (None, the 400 response to return)."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly nested JSON
        body = None
    if body is None and allow_empty and not request.get_data():
        body = {}
    if not isinstance(body, dict):
        return None, error_response(400, "invalid_json", _("The body must be a JSON object."))
    try:
        return schema.load(body, unknown="exclude"), None
    except ValidationError as error:
        return None, invalid_fields(error)


def query_args(schema):
    """(args, None), or (None, the 400 response to return). Empty values count as not given."""
    raw = {name: request.args[name] for name in schema.fields if request.args.get(name, "") != ""}
    try:
        return schema.load(raw), None
    except ValidationError as error:
        return None, invalid_fields(error)


def invalid_fields(error):
    problems = {name: " ".join(map(str, messages)) if isinstance(messages, list) else messages
                for name, messages in translated(error.normalized_messages()).items()}
    return error_response(400, "validation_error", _("Some fields are missing or invalid."), problems)
