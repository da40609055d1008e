"""/soporte: filing a ticket without an account, and the secret tracking link that follows it.

Bots are kept out by a CAPTCHA drawn on the server, as an image or spoken (routes/helpdesk/captcha.py:
the browser's session keeps only the challenge's nonce and its sealed digits), a field people never
see, and a rate limit per address. "New image" without JavaScript posts the form back here: it
comes back as typed with a new image, files nothing and does not count against the limit.
"""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from extensions import limiter
from routes.helpdesk import bp
from routes.helpdesk.captcha import forget_challenge
from routes.helpdesk.forms import PublicTicketForm, ReplyForm, StatusForm
from routes.helpdesk.tickets import TICKET_FIELDS, conversation_context, uploaded_files
from routes.helpdesk.watcher_forms import followers_context
from services.errors import DomainError
from services.helpdesk import captcha
from services.helpdesk import tickets as ticket_service
from services.helpdesk.access import ticket_by_token
from services.helpdesk.readiness import takes_tickets
from web.pages import live_fragment, run_action, show_domain_error

PUBLIC_FIELDS = TICKET_FIELDS | {"name": "name", "email": "email"}


def public_rate_limit():
    return current_app.config["PUBLIC_TICKET_RATE_LIMIT"]


def asks_for_new_image():
    return request.form.get("new_captcha") == "1"


@bp.route("/soporte", methods=["GET", "POST"])
@limiter.limit(public_rate_limit, methods=["POST"], exempt_when=asks_for_new_image)
def public_new_ticket():
    if not takes_tickets():  # no category to file under yet: say so instead of an unusable form
        return render_template("helpdesk/public_new.html", form=None, not_ready=True), \
            (503 if request.method == "POST" else 200)
    form = PublicTicketForm()
    form.fill_choices(ticket_service.may_choose_priority(None))
    if request.method == "POST" and asks_for_new_image():
        captcha.discard(forget_challenge())  # the page's <img> asks for the new one
        form.captcha.data = ""
        return render_template("helpdesk/public_new.html", form=form)
    if form.validate_on_submit():
        if form.website.data:  # only bots fill the hidden field: act as if all went well, keep nothing
            current_app.logger.info("public ticket discarded: honeypot filled from %s", request.remote_addr)
            flash(_("Thank you. Your request has been received."), "success")
            return redirect(url_for("helpdesk.public_new_ticket"))
        if not captcha.passed(forget_challenge(), form.captcha.data):
            form.captcha.errors = [_("The digits do not match. Type the ones of the new image, or listen to them.")]
        else:
            try:
                ticket = ticket_service.file_ticket(
                    title=form.title.data, description=form.description.data, category_id=form.category_id.data,
                    location_id=form.location_id.data or None, requester_name=form.name.data,
                    requester_email=form.email.data.lower(), priority_id=form.chosen_priority_id(),
                    files=uploaded_files(),
                )
            except DomainError as error:
                show_domain_error(form, error, PUBLIC_FIELDS)
            else:
                flash(_("Ticket %(number)s filed. Keep this page's address to follow it; we have also sent it "
                        "to %(email)s.", number=ticket.number, email=ticket.requester_email), "success")
                return redirect(url_for("helpdesk.track", token=ticket.tracking_token))
    elif request.method == "POST":
        captcha.passed(forget_challenge(), None)  # a failed attempt never gets a second try at the image
    form.captcha.data = ""
    return render_template("helpdesk/public_new.html", form=form)


def tracking_context(ticket, token):
    def file_url(file):
        return url_for("helpdesk.public_download", token=token, attachment_id=file.id)

    return (conversation_context(ticket, False, file_url) | {"public_token": token}
            | followers_context(ticket, None, token))


@bp.get("/soporte/t/<token>")
def track(token):
    ticket = ticket_by_token(token)
    response = current_app.make_response(render_template("helpdesk/ticket.html", **tracking_context(ticket, token)))
    response.headers["Referrer-Policy"] = "no-referrer"  # the address is the key: never pass it on
    return response


@bp.get("/soporte/t/<token>/live")
def track_live(token):
    """The tracking page's live parts, public ones only (see tickets.ticket_live)."""
    ticket = ticket_by_token(token)
    response = live_fragment(render_template("helpdesk/_ticket_live.html", **tracking_context(ticket, token)))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/soporte/t/<token>/reply")
@limiter.limit(public_rate_limit)
def public_reply(token):
    ticket = ticket_by_token(token, lock=True)
    form = ReplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ticket_service.add_comment(ticket, form.body.data, None, files=uploaded_files())
    except DomainError as error:
        show_domain_error(form, error, {"body": "body", "attachments": "attachments"})
        context = tracking_context(ticket, token) | {"reply_form": form}
        return render_template("helpdesk/ticket.html", **context), error.status
    flash(_("Reply sent."), "success")
    return redirect(url_for("helpdesk.track", token=token, _anchor="conversation-end"))


@bp.post("/soporte/t/<token>/status")
def public_status(token):
    """The requester may close their ticket or reopen it; nothing else."""
    def requester_changes_status(ticket, form):
        status = ticket_service.parse_status(form.status.data)
        if status not in ticket_service.REQUESTER_TRANSITIONS:
            abort(403)
        ticket_service.change_status(ticket, status, None)

    return run_action(lambda: ticket_by_token(token, lock=True), requester_changes_status, done=_("Status changed."),
                      to=url_for("helpdesk.track", token=token), form_class=StatusForm)
