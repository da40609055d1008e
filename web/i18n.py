"""Language and timezone for each request, and the date filters templates use.

Language: the user's saved choice, else the choice made with the switcher (kept in the
session), else the browser's Accept-Language, else the organisation's default (es). The JSON API
has no browser session: there the user is the Bearer token's, and one language serves the whole
response (its message and every field's).
"""
from flask import current_app, has_request_context, request, session
from flask_babel import format_datetime
from flask_jwt_extended import get_current_user, verify_jwt_in_request
from flask_jwt_extended.exceptions import JWTExtendedException
from flask_login import current_user
from jwt.exceptions import PyJWTError

from services.settings import default_locale, timezone_name


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # mail and jobs choose their language explicitly
        return default_locale()
    if request.path.startswith("/api/"):
        return api_locale(languages)
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or default_locale()


def api_locale(languages):
    """An API call's language: the token's user's saved choice, else Accept-Language, else the
    organisation's default. Without a valid token (the view then answers 401), Accept-Language."""
    try:
        verify_jwt_in_request(optional=True)
        user = get_current_user()
    except (JWTExtendedException, PyJWTError):
        user = None
    if user is not None and user.locale in languages:
        return user.locale
    return request.accept_languages.best_match(languages) or default_locale()


def language_for(locale):
    """The language to write to someone in (mail, the bell): theirs if the desk speaks it, else
    the organisation's default."""
    return locale if locale in current_app.config["LANGUAGES"] else default_locale()


def select_timezone():
    return timezone_name()


def init_app(app):
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
