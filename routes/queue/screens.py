"""The queue's public pages: the call screen on the TV (`/`, `?services=A,B` for one branch's
screen) and the status page a person opens from the QR code of their queue ticket."""
from flask import abort, jsonify, render_template, url_for
from flask_babel import gettext as _

from models import QueueStatus
from realtime.queue import requested_prefixes
from routes.queue import bp
from services.errors import DomainError
from services.queue import line
from services.queue.display import display_state, ticket_status
from services.settings import display_chime, display_flash, display_recent_count, display_speech
from web.forms import EmptyForm
from web.pages import run_action


@bp.get("/")
def display():
    prefixes = requested_prefixes()
    return render_template(
        "queue/display.html",
        state=display_state(prefixes or None),
        services_filter=",".join(prefixes),
        options={"chime": bool(display_chime()), "flash": bool(display_flash()), "speech": bool(display_speech()),
                 "recent": int(display_recent_count())},
    )


@bp.get("/t/<token>")
def ticket_status_page(token):
    ticket = ticket_by_token(token)
    labels = {status.value: str(line.status_label(status)) for status in QueueStatus}
    return render_template("queue/status.html", ticket=ticket, status=ticket_status(ticket),
                           labels=labels, form=EmptyForm())


@bp.get("/t/<token>/status")
def ticket_status_json(token):
    return jsonify(ticket_status(ticket_by_token(token)))


@bp.post("/t/<token>/cancel")
def cancel_ticket(token):
    return run_action(lambda: ticket_by_token(token), lambda ticket, form: line.cancel(ticket),
                      done=_("You have left the line. Thank you for letting us know."), done_category="info",
                      failed_category="warning", to=url_for("queue.ticket_status_page", token=token))


def ticket_by_token(token):
    if len(token) > 64:
        abort(404)
    try:
        return line.find_by_token(token)
    except DomainError:
        abort(404)
