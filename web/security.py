"""Who may do what, and the protections every request gets.

- `roles_required` guards a view by role.
- Before each request: first-run redirect to the setup wizard, idle timeout, forced password change.
- After each request: security headers (CSP with no inline script, frame denial, HSTS under HTTPS).
"""
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from extensions import db, login_manager
from models import User
from services.accounts.first_run import needs_setup
from web.errors import error_response, wants_json

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "media-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Endpoints that work before the first admin exists, or that a session past its time may reach.
SETUP_FREE_ENDPOINTS = {"static", "setup.wizard", "main.healthz", "main.set_language", "api_docs.openapi"}
API_BLUEPRINTS = {"api", "api_queue", "api_tickets", "api_docs"}
PASSWORD_CHANGE_FREE_ENDPOINTS = {"static", "auth.change_password", "auth.logout", "main.set_language",
                                  "main.healthz", "auth.keepalive"}


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is marked Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app):
        return super().get_cookie_secure(app) or request.is_secure

    def should_set_cookie(self, app, session):
        """The JSON API never refreshes a browser's session cookie: it does not use the session."""
        return uses_browser_session() and super().should_set_cookie(app, session)


def init_app(app):
    app.session_interface = SessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(unauthorized)
    app.before_request(redirect_to_setup_on_first_run)
    app.before_request(enforce_idle_timeout)
    app.before_request(enforce_password_change)
    app.after_request(set_security_headers)


def load_user(session_token):
    user = db.session.scalar(select(User).where(User.session_token == session_token))
    return user if user is not None and user.active else None


def unauthorized():
    """Pages redirect to the login; scripts (fetch asking for JSON) get a 401 they can act on."""
    if wants_json():
        return error_response(401, "authentication_required", _("Please sign in."))
    flash(str(login_manager.login_message), login_manager.login_message_category)
    return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))


def roles_required(*roles):
    """The signed-in user must hold one of `roles`, else 403 (or the login page when signed out)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = roles
        return wrapped

    return decorator


def safe_next_url(target, fallback):
    """Only same-site paths are followed after login, never another host or a broken header."""
    if target and not any(ord(char) < 0x20 or char == "\\" for char in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return fallback


def redirect_to_setup_on_first_run():
    if current_app.extensions.get("setup_done") or request.endpoint in SETUP_FREE_ENDPOINTS:
        return None
    if needs_setup():
        if wants_json():
            return error_response(503, "setup_required", _("The service desk is not set up yet."))
        return redirect(url_for("setup.wizard"))
    current_app.extensions["setup_done"] = True  # an admin can never be removed, so this stays true
    return None


def uses_browser_session():
    """The JSON API authenticates with Bearer tokens; the session rules are for browsers."""
    return request.endpoint != "static" and request.blueprint not in API_BLUEPRINTS


def session_is_idle():
    last_active = session.get("last_active")
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    return last_active is not None and time.time() - last_active > idle_limit


def session_allows_sockets():
    """A socket may open only for a live session that has no pending password change."""
    return current_user.is_authenticated and not session_is_idle() and not current_user.must_change_password


def enforce_idle_timeout():
    """Sign out a session left without activity for SESSION_IDLE_MINUTES.

    Pages meant to stay open all day (kiosk, counter panel) ping `auth.keepalive` while open,
    so only a closed or abandoned page times out.
    """
    if not uses_browser_session() or not current_user.is_authenticated:
        return None
    if session_is_idle():
        logout_user()
        session.clear()
        message = ngettext("Your session ended after %(num)d minute without activity. Please sign in again.",
                           "Your session ended after %(num)d minutes without activity. Please sign in again.",
                           current_app.config["SESSION_IDLE_MINUTES"])
        if wants_json():
            return error_response(401, "session_expired", message)
        flash(message, "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    # A page refreshing itself after a live event is not the person being active: an
    # abandoned dashboard must still time out.
    if request.headers.get("X-Live-Refresh") != "1":
        session["last_active"] = time.time()
    session.permanent = True
    return None


def enforce_password_change():
    if (uses_browser_session() and current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_FREE_ENDPOINTS):
        if wants_json():
            return error_response(403, "password_change_required", _("You must change your password first."))
        flash(_("Please choose a new password before you continue."), "warning")
        return redirect(url_for("auth.change_password"))
    return None


def set_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
