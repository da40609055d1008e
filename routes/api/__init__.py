"""The JSON API, authenticated with Bearer tokens (auth.py), on the SoportePlus paths: the queue
(queue.py), helpdesk tickets and catalogues (tickets.py); request schemas (schemas.py) read by
requests.py, response schemas (serializers.py), and the OpenAPI document built from them
(openapi.py, served by docs.py).

One language per response, the caller's (web/i18n.api_locale: the token's user, else
Accept-Language): the API's own messages through Flask-Babel, marshmallow's through messages.py.
Every error is JSON (web/errors.py), and an empty answer has no content type (`no_content`).
"""
from flask import current_app


def no_content():
    """204 No Content: no body, and no content type (Flask would call an empty string text/html)."""
    response = current_app.response_class(status=204)
    response.headers.pop("Content-Type", None)
    return response
