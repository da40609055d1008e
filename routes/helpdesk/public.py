"""/soporte: filing a ticket without an account, and the secret tracking link that follows it.

Bots are kept out by a CAPTCHA image drawn here (no outside service: many sites have no
internet), a field people never see, and a rate limit per address. Each image is a row on the
server holding an HMAC of its answer; the session holds only its nonce, and checking an answer
deletes the row, so an answer works once and reading or replaying the cookie gains nothing.
"""
import hashlib
import hmac
import secrets
from datetime import timedelta
from io import BytesIO

from captcha.image import ImageCaptcha
from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_babel import gettext as _

from sqlalchemy import delete

from extensions import db, limiter
from models import CaptchaChallenge
from routes import show_domain_error
from routes.helpdesk import bp
from routes.helpdesk.forms import PublicTicketForm, ReplyForm, StatusForm
from routes.helpdesk.tickets import TICKET_FIELDS, conversation_context, live_fragment, uploaded_files
from services.helpdesk import tickets as ticket_service
from services.errors import DomainError
from services.helpdesk.access import ticket_by_token
from services.timeutil import utcnow

CAPTCHA_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to confuse
CAPTCHA_LENGTH = 5
CAPTCHA_MAX_AGE = timedelta(minutes=15)
PUBLIC_FIELDS = TICKET_FIELDS | {"name": "name", "email": "email"}


def new_captcha_text():
    return "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))


def captcha_digest(nonce, answer):
    key = current_app.secret_key.encode()
    return hmac.new(key, f"captcha:{nonce}:{answer.strip().upper()}".encode(), hashlib.sha256).hexdigest()


def captcha_passed(answer):
    """True when `answer` matches the last image shown to this browser; each image works once."""
    nonce = session.pop("captcha", None)
    if not isinstance(nonce, str):
        return False
    table = CaptchaChallenge.__table__
    issued = db.session.execute(delete(table).where(table.c.nonce == nonce)
                                .returning(table.c.digest, table.c.created_at)).first()
    db.session.commit()
    if issued is None or not answer or utcnow() - issued.created_at > CAPTCHA_MAX_AGE:
        return False
    return hmac.compare_digest(issued.digest, captcha_digest(nonce, answer))


def issue_captcha(text):
    """Store a new challenge (and drop expired ones) and remember its nonce in the session."""
    now, nonce = utcnow(), secrets.token_hex(16)
    db.session.execute(delete(CaptchaChallenge).where(CaptchaChallenge.created_at < now - CAPTCHA_MAX_AGE))
    db.session.add(CaptchaChallenge(nonce=nonce, digest=captcha_digest(nonce, text), created_at=now))
    db.session.commit()
    session["captcha"] = nonce


def public_rate_limit():
    return current_app.config["PUBLIC_TICKET_RATE_LIMIT"]


@bp.get("/soporte/captcha.png")
@limiter.limit(lambda: current_app.config["CAPTCHA_RATE_LIMIT"])
def captcha_image():
    text = new_captcha_text()
    issue_captcha(text)
    image = ImageCaptcha(width=220, height=80).generate(text)
    response = send_file(BytesIO(image.getvalue()), mimetype="image/png")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/soporte", methods=["GET", "POST"])
@limiter.limit(public_rate_limit, methods=["POST"])
def public_new_ticket():
    form = PublicTicketForm()
    form.fill_choices(staff=False)
    if form.validate_on_submit():
        if form.website.data:  # only bots fill the hidden field: act as if all went well, keep nothing
            current_app.logger.info("public ticket discarded: honeypot filled from %s", request.remote_addr)
            flash(_("Thank you. Your request has been received."), "success")
            return redirect(url_for("helpdesk.public_new_ticket"))
        if not captcha_passed(form.captcha.data):
            form.captcha.errors = [_("The characters do not match the image. Try the new one.")]
        else:
            try:
                ticket = ticket_service.file_ticket(
                    title=form.title.data, description=form.description.data, category_id=form.category_id.data,
                    location_id=form.location_id.data or None, requester_name=form.name.data,
                    requester_email=form.email.data.lower(), files=uploaded_files(),
                )
            except DomainError as error:
                show_domain_error(form, error, PUBLIC_FIELDS)
            else:
                flash(_("Ticket %(number)s filed. Keep this page's address to follow it; we have also sent it "
                        "to %(email)s.", number=ticket.number, email=ticket.requester_email), "success")
                return redirect(url_for("helpdesk.track", token=ticket.tracking_token))
    elif request.method == "POST":
        captcha_passed(None)  # spends the image: a failed attempt never gets a second try at it
    form.captcha.data = ""
    return render_template("helpdesk/public_new.html", form=form)


def tracking_context(ticket, token):
    def file_url(file):
        return url_for("helpdesk.public_download", token=token, attachment_id=file.id)

    return conversation_context(ticket, False, file_url) | {"public_token": token}


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
    ticket = ticket_by_token(token, lock=True)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        status = ticket_service.parse_status(form.status.data)
        if status not in ticket_service.REQUESTER_TRANSITIONS:
            abort(403)
        ticket_service.change_status(ticket, status, None)
    except DomainError as error:
        flash(str(error), "danger")
    else:
        flash(_("Status changed."), "success")
    return redirect(url_for("helpdesk.track", token=token))
