"""The bell: the history page, the JSON the bell's script reads (and catches up with after a
reconnection), and marking read. Everyone sees only their own notifications."""
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from services.messaging import inbox
from services.settings import timezone_name
from web.errors import wants_json
from web.pages import page_number

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def bell():
    """The navigation bar's bell, rendered with the page so the count shows before any script
    runs; queried only on pages that draw it."""

    def notification_bell():
        return {"count": inbox.unread_count(current_user), "items": inbox.latest(current_user),
                "timezone": timezone_name()}

    return {"notification_bell": notification_bell, "notification_text": inbox.text,
            "notification_link": inbox.link}


@bp.get("/notifications")
@login_required
def index():
    return render_template("messaging/notifications/list.html", page=inbox.history(current_user, page_number()))


@bp.get("/notifications.json")
@login_required
def as_json():
    """The latest few, or with ?after=<id> all newer than the newest one the page has."""
    after = request.args.get("after", type=int)
    if after is not None and after >= 0:
        items = inbox.since(current_user, min(after, inbox.MAX_ID))
    else:
        items = inbox.latest(current_user)
    return jsonify(items=[inbox.as_dict(item) for item in items], unread_count=inbox.unread_count(current_user))


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def read(notification_id):
    inbox.mark_read(current_user, notification_id)
    return answer()


@bp.post("/notifications/read-all")
@login_required
def read_all():
    inbox.mark_all_read(current_user)
    return answer()


def answer():
    """The bell's fetch gets the new count; the history page's buttons (no script needed) go back."""
    if wants_json():
        return jsonify(unread_count=inbox.unread_count(current_user))
    return redirect(url_for("notifications.index", page=request.form.get("page", 1, type=int)))
