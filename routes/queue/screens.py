"""The queue's public pages: the call screen on the TV (`/`, `?services=A,B` for one branch's
screen, `/screen/<slug>` for a named screen the admin set up) and the status page a person opens
from the QR code of their queue ticket."""
from flask import abort, jsonify, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from models import QueueStatus
from realtime.queue import requested_prefixes
from routes.queue import bp
from services.errors import DomainError
from services.queue import line
from services.queue.display import display_state, ticket_status
from services.queue.setup import active_screen, screen_prefixes
from services.settings import (default_locale, display_chime, display_flash, display_recent_count, display_speech,
                               display_voice)
from web.forms import EmptyForm
from web.pages import run_action


@bp.get("/")
def display():
    return render_display(requested_prefixes())


@bp.get("/screen/<slug>")
def named_screen(slug):
    """A TV set up by the admin: its services, its language, its number of earlier calls, its message."""
    screen = active_screen(slug[:60])
    if screen is None:
        abort(404)
    with force_locale(screen.locale or default_locale()):
        return render_display(screen_prefixes(screen), screen)


def render_display(prefixes, screen=None):
    recent = screen.recent_count if screen and screen.recent_count is not None else int(display_recent_count())
    return render_template(
        "queue/display.html", screen=screen,
        state=display_state(prefixes or None, recent_count=recent),
        services_filter=",".join(prefixes),
        options={"chime": bool(display_chime()), "flash": bool(display_flash()), "speech": bool(display_speech()),
                 "recent": recent, "voice": display_voice()},
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
