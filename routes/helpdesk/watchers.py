"""Following a ticket (staff), people in copy (the requester, signed in or through the tracking
link, and staff), and leaving a copy through the link in its mails. The rules are in
services/helpdesk/watchers.py; these routes find the ticket (locked: two people adding the
tenth address at once cannot make eleven), act and go back to its page."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from extensions import limiter
from routes.helpdesk import bp
from routes.helpdesk.public import public_rate_limit, tracking_context
from routes.helpdesk.tickets import ticket_page_context
from routes.helpdesk.watcher_forms import CopyForm, RemoveCopyForm
from services.errors import DomainError
from services.helpdesk import watchers
from services.helpdesk.access import ticket_by_token, visible_ticket
from web.forms import EmptyForm
from web.pages import run_action, show_domain_error

PANEL = "followers"  # the page's anchor of the followers and copies panel


def ticket_panel(ticket):
    return url_for("helpdesk.ticket_detail", ticket_id=ticket.id, _anchor=PANEL)


def tracking_panel(token):
    return url_for("helpdesk.track", token=token, _anchor=PANEL)


# --- following (staff) ------------------------------------------------------------------------


@bp.post("/tickets/<int:ticket_id>/follow")
@login_required
def follow(ticket_id):
    return run_action(lambda: visible_ticket(ticket_id, current_user, lock=True),
                      lambda ticket, form: watchers.follow(ticket, current_user),
                      done=_("You follow this ticket: you will hear of its replies and changes."), to=ticket_panel)


@bp.post("/tickets/<int:ticket_id>/unfollow")
@login_required
def unfollow(ticket_id):
    return run_action(lambda: visible_ticket(ticket_id, current_user, lock=True),
                      lambda ticket, form: watchers.unfollow(ticket, current_user),
                      done=_("You no longer follow this ticket."), to=ticket_panel)


# --- copies -----------------------------------------------------------------------------------


def add_copy_or_show_errors(ticket, actor, page_context, back):
    """Add the posted address; a refused one comes back beside its field, typed as it was."""
    form = CopyForm()
    if form.validate_on_submit():
        try:
            email = watchers.add_copy(ticket, form.email.data, actor)
        except DomainError as error:
            show_domain_error(form, error, {"email": "email"})
            status = error.status
        else:
            flash(_("%(email)s is in copy: they will receive the public replies by email.", email=email), "success")
            return redirect(back)
    elif form.csrf_token.errors:
        abort(400)
    else:
        status = 400
    return render_template("helpdesk/ticket.html", **page_context() | {"copy_form": form}), status


def removed_message():
    return _("%(email)s is no longer in copy.", email=request.form.get("email", "")[:255])


@bp.post("/tickets/<int:ticket_id>/copies")
@login_required
def add_copy(ticket_id):
    ticket = visible_ticket(ticket_id, current_user, lock=True)
    return add_copy_or_show_errors(ticket, current_user, lambda: ticket_page_context(ticket, current_user),
                                   ticket_panel(ticket))


@bp.post("/tickets/<int:ticket_id>/copies/remove")
@login_required
def remove_copy(ticket_id):
    return run_action(lambda: visible_ticket(ticket_id, current_user, lock=True),
                      lambda ticket, form: watchers.remove_copy(ticket, form.email.data, current_user),
                      done=removed_message(), to=ticket_panel, form_class=RemoveCopyForm)


@bp.post("/soporte/t/<token>/copies")
@limiter.limit(public_rate_limit)  # each address added is mailed: no faster than filing tickets
def public_add_copy(token):
    ticket = ticket_by_token(token, lock=True)
    response = add_copy_or_show_errors(ticket, None, lambda: tracking_context(ticket, token), tracking_panel(token))
    response = current_app.make_response(response)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/soporte/t/<token>/copies/remove")
def public_remove_copy(token):
    return run_action(lambda: ticket_by_token(token, lock=True),
                      lambda ticket, form: watchers.remove_copy(ticket, form.email.data, None),
                      done=removed_message(), to=tracking_panel(token), form_class=RemoveCopyForm)


# --- leaving a copy from its mail -------------------------------------------------------------


@bp.route("/soporte/copia/<token>", methods=["GET", "POST"])
def leave_copy(token):
    """The link in every mail to someone in copy: a page that asks, then takes them out."""
    ticket, email = watchers.copy_for_token(token)
    form = EmptyForm()
    left = False
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        watchers.leave_copy(token)
        left = True
    page = render_template("helpdesk/leave_copy.html", ticket=ticket, email=email, form=form, left=left,
                           in_copy=watchers.is_in_copy(ticket, email))
    response = current_app.make_response(page)
    response.headers["Referrer-Policy"] = "no-referrer"  # the address is a key: never pass it on
    return response
