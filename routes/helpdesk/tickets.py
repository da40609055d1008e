"""Filing a ticket, the ticket page, and what people do there: reply, note, status, priority,
assignment. Every route finds the ticket through the visibility rules, so a ticket one may not
see is a 404; the routes that change it lock its row, so two people's changes never interleave."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Role
from routes.helpdesk import bp
from routes.helpdesk.forms import AssignForm, PriorityForm, ReplyForm, StatusForm, TicketForm, priority_choices
from routes.helpdesk.watcher_forms import followers_context
from services.errors import DomainError
from services.helpdesk import tickets as ticket_service
from services.helpdesk.access import is_requester, is_staff_for, visible_ticket
from services.helpdesk.timeline import ticket_timeline
from services.messaging import inbox
from services.settings import attachment_max_files, attachment_max_mb
from services.timeutil import utcnow
from web.pages import live_fragment, run_action, show_domain_error

TICKET_FIELDS = {"category_id": "category_id", "location_id": "location_id", "priority_id": "priority_id",
                 "title": "title", "description": "description", "attachments": "attachments"}


@bp.context_processor
def attachment_limits():
    return {"attachment_limits": {"files": int(attachment_max_files()),
                                  "mb": int(attachment_max_mb())}}


def uploaded_files():
    return [f for f in request.files.getlist("attachments") if f and f.filename]


@bp.route("/tickets/new", methods=["GET", "POST"])
@login_required
def new_ticket():
    form = TicketForm()
    form.fill_choices(ticket_service.may_choose_priority(current_user))
    if form.validate_on_submit():
        try:
            ticket = ticket_service.file_ticket(
                title=form.title.data, description=form.description.data, category_id=form.category_id.data,
                location_id=form.location_id.data or None, requester=current_user,
                priority_id=form.chosen_priority_id(), files=uploaded_files(),
            )
        except DomainError as error:
            show_domain_error(form, error, TICKET_FIELDS)
        else:
            flash(_("Ticket %(number)s filed. We will keep you posted by email.", number=ticket.number), "success")
            return redirect(url_for("helpdesk.ticket_detail", ticket_id=ticket.id))
    return render_template("helpdesk/new.html", form=form, public=False)


def conversation_context(ticket, staff, file_url):
    """What every view of a ticket shows: the conversation (notes for staff only), the reply form
    and the status buttons its viewer may press. The tracking page uses it too."""
    return {
        "ticket": ticket, "staff": staff, "requester_view": not staff, "public_token": None,
        "timeline": ticket_timeline(ticket, include_internal=staff),
        "reply_form": ReplyForm(), "status_form": StatusForm(), "now": utcnow(),
        "next_statuses": ticket_service.next_statuses(ticket, staff), "status_label": ticket_service.status_label,
        "file_url": file_url,
    }


def ticket_page_context(ticket, viewer):
    """What the ticket page shows `viewer`: staff get notes, actions and the assignment."""
    staff = is_staff_for(viewer, ticket)
    context = conversation_context(
        ticket, staff, lambda file: url_for("helpdesk.download", ticket_id=ticket.id, attachment_id=file.id))
    context["requester_view"] = is_requester(viewer, ticket) and not staff
    if staff:
        priority_form = PriorityForm(priority_id=ticket.priority_id)
        priority_form.priority_id.choices = priority_choices(with_default=False)
        context["priority_form"] = priority_form
    if viewer.role == Role.ADMIN:
        assign_form = AssignForm(assignee_id=ticket.assignee_id or 0)
        assign_form.assignee_id.choices = [(0, _("— Unassigned —"))] + [
            (agent.id, agent.display_name + ("" if agent.available else " · " + _("not available")))
            for agent in ticket_service.assignable_agents(ticket.area_id)]
        context["assign_form"] = assign_form
    context["can_take"] = (viewer.role == Role.AGENT and staff and ticket.assignee_id is None)
    return context | followers_context(ticket, viewer)


@bp.get("/tickets/<int:ticket_id>")
@login_required
def ticket_detail(ticket_id):
    ticket = visible_ticket(ticket_id, current_user)
    inbox.mark_ticket_read(current_user, ticket.id)
    return render_template("helpdesk/ticket.html", **ticket_page_context(ticket, current_user))


@bp.get("/tickets/<int:ticket_id>/live")
@login_required
def ticket_live(ticket_id):
    """The page's live parts alone: its script swaps them in when the ticket changes, so what
    arrives goes through the same visibility checks as the page itself."""
    ticket = visible_ticket(ticket_id, current_user)
    return live_fragment(render_template("helpdesk/_ticket_live.html", **ticket_page_context(ticket, current_user)))


def ticket_page(ticket, anchor=None):
    return url_for("helpdesk.ticket_detail", ticket_id=ticket.id, _anchor=anchor)


def ticket_action(ticket_id, form_class, action, done):
    """A button on the ticket page: on the ticket, locked, then back to its page."""
    return run_action(lambda: visible_ticket(ticket_id, current_user, lock=True), action, done=done, to=ticket_page,
                      form_class=form_class)


@bp.post("/tickets/<int:ticket_id>/reply")
@login_required
def reply(ticket_id):
    ticket = visible_ticket(ticket_id, current_user, lock=True)
    form = ReplyForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400)
        context = ticket_page_context(ticket, current_user) | {"reply_form": form}
        return render_template("helpdesk/ticket.html", **context), 400
    try:
        ticket_service.add_comment(ticket, form.body.data, current_user, internal=form.internal.data,
                                   files=uploaded_files())
    except DomainError as error:
        show_domain_error(form, error, {"body": "body", "attachments": "attachments", "internal": "internal"})
        context = ticket_page_context(ticket, current_user) | {"reply_form": form}
        return render_template("helpdesk/ticket.html", **context), error.status
    flash(_("Note saved.") if form.internal.data else _("Reply sent."), "success")
    return redirect(ticket_page(ticket, "conversation-end"))


@bp.post("/tickets/<int:ticket_id>/status")
@login_required
def change_status(ticket_id):
    return ticket_action(ticket_id, StatusForm,
                         lambda ticket, form: ticket_service.change_status(ticket, form.status.data, current_user),
                         _("Status changed."))


@bp.post("/tickets/<int:ticket_id>/priority")
@login_required
def change_priority(ticket_id):
    return ticket_action(ticket_id, PriorityForm,
                         lambda ticket, form: ticket_service.change_priority(ticket, form.priority_id.data,
                                                                             current_user),
                         _("Priority changed."))


@bp.post("/tickets/<int:ticket_id>/assign")
@login_required
def assign(ticket_id):
    def assign_from(ticket, form):
        taking = request.form.get("take") and current_user.role == Role.AGENT
        ticket_service.assign(ticket, current_user.id if taking else (form.assignee_id.data or None), current_user)

    return ticket_action(ticket_id, AssignForm, assign_from, _("Assignment saved."))
