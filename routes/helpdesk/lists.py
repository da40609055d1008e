"""Ticket lists (mine, an agent's work, all) and the admin's helpdesk dashboard.

Each page with `?fragment=1` answers with its live parts alone (same filters, same page): the
page's script fetches them when `tickets_changed` says a ticket moved (see realtime.helpdesk).
"""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Role, TicketStatus
from routes.helpdesk import bp
from services.errors import ValidationFailed
from services.helpdesk import catalogues
from services.helpdesk import stats as ticket_stats
from services.helpdesk.queries import PER_PAGE_CHOICES, TicketFilters, list_tickets
from services.helpdesk.tickets import status_label
from services.timeutil import utcnow
from web.pages import live_fragment, page_number
from web.security import roles_required

LISTS = {
    # scope → the page that lists it (links for sorting and pages)
    "mine": "helpdesk.my_tickets",
    "assigned": "helpdesk.agent_tickets",
    "all": "helpdesk.admin_tickets",
}


def filter_choices(scope):
    """Options of the filter bar (assignees only where it makes sense)."""
    return {"statuses": [(status, status_label(status)) for status in TicketStatus],
            **catalogues.filter_options(with_agents=scope == "all")}


def page_or_fragment(page_template, fragment_template, status=200, **context):
    """The page, or with ?fragment=1 its live parts alone."""
    if request.args.get("fragment") != "1":
        return render_template(page_template, **context), status
    return live_fragment(render_template(fragment_template, **context), status)


def render_list(scope, template, **extra):
    error, page = None, None
    try:
        filters = TicketFilters.from_args(request.args)
    except ValidationFailed as failure:
        filters, error = TicketFilters(), failure
    per_page = request.args.get("per_page", 25, type=int)
    if error is None:
        page = list_tickets(current_user, scope, filters, page=page_number(), per_page=per_page)
    return page_or_fragment(
        template, "helpdesk/_list_live.html", 400 if error else 200, scope=scope, endpoint=LISTS[scope],
        filters=filters, page=page, error=error, choices=filter_choices(scope), per_page_choices=PER_PAGE_CHOICES,
        status_label=status_label, now=utcnow(), **extra)


@bp.get("/tickets")
@login_required
def my_tickets():
    return render_list("mine", "helpdesk/list.html")


@bp.get("/tickets/ingeniero")
@roles_required(Role.AGENT)
def agent_tickets():
    return render_list("assigned", "helpdesk/list.html", agent_stats=ticket_stats.agent_statistics(current_user))


@bp.get("/tickets/admin")
@roles_required(Role.ADMIN)
def admin_tickets():
    return render_list("all", "helpdesk/list.html")


@bp.get("/tickets/dashboard")
@roles_required(Role.ADMIN)
def dashboard():
    overview = ticket_stats.overview(current_user)
    per_day = ticket_stats.created_and_closed_per_day(current_user)
    charts = {
        "by_category": [[name, count] for name, count in overview.by_category[:15]],
        "by_area": [[name, count] for name, count in overview.by_area],
        "by_status": [[str(status_label(status)), overview.by_status[status.value]] for status in TicketStatus],
        "per_day": {"labels": [day.isoformat() for day, _, _ in per_day],
                    "created": [created for _, created, _ in per_day],
                    "closed": [closed for _, _, closed in per_day]},
    }
    return page_or_fragment("helpdesk/dashboard.html", "helpdesk/_dashboard_live.html", overview=overview,
                            charts=charts, activity=ticket_stats.recent_activity(current_user),
                            status_label=status_label, activity_labels=activity_labels())


def activity_labels():
    return {
        "ticket.created": _("filed"), "ticket.status": _("changed the status"),
        "ticket.priority": _("changed the priority"), "ticket.assigned": _("changed the assignment"),
        "ticket.edited": _("edited"), "ticket.reply": _("replied"), "ticket.note": _("wrote a note"),
        "ticket.auto_closed": _("closed automatically"),
        "ticket.sla_warned": _("warned: due soon"), "ticket.sla_escalated": _("escalated: overdue"),
        "ticket.copy_added": _("put someone in copy"), "ticket.copy_removed": _("took someone out of copy"),
    }
