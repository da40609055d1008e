"""Private chat pages: the conversation list, a conversation, its history as JSON (paging back,
and catching up after a reconnect), and sending without a socket. Who may chat with whom lives
in services.messaging.chat; the sockets of the same feature are in realtime.chat."""
from datetime import datetime

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user, login_required

from extensions import db, limiter
from models import MAX_ID, User
from services.errors import ValidationFailed
from services.messaging import chat, presence
from web.errors import wants_json

bp = Blueprint("chat", __name__)


@bp.app_context_processor
def chat_helpers():
    """The navigation bar's unread badge, counted only when a page actually shows it."""
    return {"chat_unread_total": lambda: chat.unread_total(current_user) if current_user.is_authenticated else 0}


@bp.app_template_filter("chat_time")
def chat_time(iso_text):
    """A presence payload's ISO timestamp, shown like every other date."""
    return format_datetime(datetime.fromisoformat(iso_text), "short") if iso_text else ""


@bp.route("/chat")
@login_required
def index():
    chosen = request.args.get("with", type=int)
    if chosen and 0 < chosen <= MAX_ID:
        return redirect(url_for("chat.conversation", user_id=chosen))
    rows = chat.conversations_of(current_user)
    partners = [other.id for _, other, _, _ in rows]
    watchable = chat.contact_ids(current_user, partners)
    return render_template("messaging/chat/index.html", rows=rows, contacts=chat.contacts(current_user),
                           presence=presence.presence_of(watchable))


@bp.route("/chat/<int:user_id>")
@login_required
def conversation(user_id):
    """A person one may chat with, or a past conversation (read-only once they are no longer a contact)."""
    contact = chat.chat_partner(current_user, user_id)
    existing = chat.conversation_between(current_user.id, user_id) if user_id != current_user.id else None
    if contact is None and existing is None:
        abort(404)
    other = contact or db.session.get(User, user_id)
    messages, has_more = chat.history(existing) if existing else ([], False)
    if existing is not None:
        chat.mark_read(current_user, existing)  # opening the conversation is reading it
    # Presence is for contacts only, like the `presence` events.
    status = presence.presence_of([other.id]).get(other.id) if contact else None
    return render_template("messaging/chat/conversation.html", other=other, conversation=existing, messages=messages,
                           has_more=has_more, can_write=contact is not None, presence=status,
                           max_length=chat.MAX_LENGTH)


def bounded_arg(name):
    value = request.args.get(name, type=int)
    if value is not None and not 0 <= value <= MAX_ID:
        raise ValidationFailed(f"{name} is out of range", field=name)
    return value


@bp.route("/chat/<int:conversation_id>/messages.json")
@login_required
def messages_json(conversation_id):
    """?before=<id>: the page older than that message; ?after=<id>: whatever came since (a reconnect)."""
    conversation = chat.conversation_for(current_user, conversation_id)
    before, after = bounded_arg("before"), bounded_arg("after")
    messages, has_more = chat.history(conversation, before=before, after=after)
    names = {user.id: user.display_name for user in (conversation.first_user, conversation.second_user)}
    return jsonify(messages=[chat.message_payload(m, names) for m in messages], has_more=has_more,
                   read_up_to=chat.read_up_to(conversation, current_user))


@bp.route("/chat/<int:user_id>/messages", methods=["POST"])
@login_required
@limiter.limit("60 per minute")
def send(user_id):
    """Sending without a socket: fetch with X-CSRFToken gets JSON, a plain form a redirect."""
    if request.is_json:
        payload = request.get_json(silent=True)
        body = payload.get("body") if isinstance(payload, dict) else None
    else:
        body = request.form.get("body")
    try:
        message = chat.send_message(current_user, body if isinstance(body, str) else "", to_user_id=user_id)
    except ValidationFailed as error:
        if request.is_json or wants_json():
            raise
        flash(str(error.message), "danger")
        return redirect(url_for("chat.conversation", user_id=user_id))
    if request.is_json or wants_json():
        return jsonify(chat.message_payload(message, {current_user.id: current_user.display_name})), 201
    return redirect(url_for("chat.conversation", user_id=user_id))
