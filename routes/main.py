"""The front door: role home redirects, language switch, health check, shared template values."""
from dataclasses import dataclass

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from extensions import db
from models import Role
from services.accounts.users import set_locale
from services.settings import allow_registration, organisation_name, timezone_name
from web.forms import role_choices
from web.security import safe_next_url

bp = Blueprint("main", __name__)

# Where each role lands after signing in. Later areas (helpdesk) add theirs.
ROLE_HOME = {
    Role.ADMIN: "reports.dashboard",
    Role.STAFF: "queue.panel",
    Role.REGISTRAR: "queue.kiosk",
    Role.AGENT: "helpdesk.agent_tickets",
    Role.USER: "helpdesk.my_tickets",
}


@dataclass(frozen=True)
class NavLink:
    """One entry of the navigation bar. It is the current one on its own page and on the pages
    `covers` names: an endpoint, or a blueprint written with its dot ("admin_helpdesk.")."""
    endpoint: str
    label: str
    covers: tuple = ()

    def is_current(self, endpoint):
        return endpoint == self.endpoint or covered(endpoint, self.covers)


@dataclass(frozen=True)
class NavGroup:
    """A drop-down of the navigation bar; current on a page one of its links or its `covers` names.
    `None` among the links is a divider."""
    key: str
    label: str
    links: tuple
    covers: tuple = ()

    def current_link(self, endpoint):
        """The link to mark on this page: the one whose own page it is, else one that names the page
        among those it covers, else one covering the page's whole blueprint."""
        candidates = [link for link in self.links if link and link.is_current(endpoint)]
        candidates.sort(key=lambda link: (link.endpoint != endpoint, endpoint not in link.covers))  # stable
        return candidates[0] if candidates else None

    def is_current(self, endpoint):
        return covered(endpoint, self.covers) or self.current_link(endpoint) is not None


def covered(endpoint, covers):
    return bool(endpoint) and any(endpoint == cover or (cover.endswith(".") and endpoint.startswith(cover))
                                  for cover in covers)


# The navigation bar per role. The admin's many pages are grouped so the bar stays one line at 1280 px.
NAV_LINKS = {
    Role.ADMIN: [
        NavGroup("queue", _l("Queue"), (
            NavLink("reports.dashboard", _l("Queue dashboard"), ("reports.",)),
            NavLink("admin_queue.services", _l("Services"), ("admin_queue.edit_service",)),
            NavLink("admin_queue.counters", _l("Counters"), ("admin_queue.edit_counter",)),
            NavLink("admin_queue.screens", _l("Call screens"), ("admin_queue.edit_screen",)),
            None,
            NavLink("queue.kiosk", _l("Kiosk"), ("queue.",)),
        ), ("admin_queue.",)),
        NavGroup("helpdesk", _l("Helpdesk"), (
            NavLink("helpdesk.dashboard", _l("Helpdesk dashboard")),
            NavLink("helpdesk.admin_tickets", _l("All tickets"), ("helpdesk.ticket_detail",)),
            None,
            NavLink("admin_helpdesk.areas", _l("Helpdesk settings"), ("admin_helpdesk.",)),
            NavLink("admin_helpdesk.business_hours", _l("Business hours"), ("admin_helpdesk.holidays",)),
        ), ("helpdesk.",)),
        NavLink("admin.users", _l("Users"), ("admin.new_user", "admin.edit_user")),
        NavGroup("settings", _l("Settings"), (
            NavLink("admin.settings", _l("General settings")),
            NavLink("admin.audit", _l("Audit log")),
        )),
    ],
    Role.STAFF: [NavLink("queue.panel", _l("Counter panel"))],
    Role.REGISTRAR: [NavLink("queue.kiosk", _l("Kiosk"))],
    Role.AGENT: [NavLink("helpdesk.agent_tickets", _l("My work")), NavLink("helpdesk.my_tickets", _l("My tickets")),
                 NavLink("helpdesk.new_ticket", _l("New ticket"))],
    Role.USER: [NavLink("helpdesk.my_tickets", _l("My tickets")), NavLink("helpdesk.new_ticket", _l("New ticket"))],
}


def home_url(user):
    return url_for(ROLE_HOME.get(user.role, "auth.account"))


def keepalive_seconds():
    """How often open all-day pages ping: well inside the idle limit."""
    return max(10, min(300, current_app.config["SESSION_IDLE_MINUTES"] * 20))


@bp.post("/language")
def set_language():
    locale = request.form.get("locale")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            set_locale(current_user, locale)
    return redirect(safe_next_url(request.form.get("next"), url_for("queue.display")))


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception:  # reported, not raised: this page exists to say what is wrong
        db.session.rollback()
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "degraded", database=database), status


@bp.app_context_processor
def shell_values():
    try:
        organisation, registration_open = organisation_name(), allow_registration()
    except SQLAlchemyError:  # the error page must render even when the database is down
        db.session.rollback()
        organisation, registration_open = current_app.config["ORGANISATION_NAME"], False
    return {
        "organisation_name": organisation,
        "organisation_timezone": timezone_name(),
        "allow_registration": registration_open,
        "home_url": home_url(current_user) if current_user.is_authenticated else url_for("auth.login"),
        "current_locale": str(get_locale()),
        "nav_links": NAV_LINKS.get(current_user.role, []) if current_user.is_authenticated else [],
        "keepalive_seconds": keepalive_seconds(),
        "role_labels": {choice.value: choice.label for choice in role_choices()},
        "Role": Role,
    }
