"""The walk-in queue in the browser: public call screen, kiosk, ticket status page, counter panel."""
from io import BytesIO

import segno
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from forms import EmptyForm
from models import Counter, PriorityReason, QueueStatus, QueueTicket, Role, Service
from realtime import requested_prefixes
from routes import form_id
from security import roles_required, wants_json
from services.queue import line as queue_service
from services.errors import DomainError
from services.settings import get_setting

bp = Blueprint("queue", __name__)


def priority_labels():
    return {
        PriorityReason.ELDERLY.value: _("Older adult"),
        PriorityReason.PREGNANT.value: _("Pregnancy"),
        PriorityReason.DISABILITY.value: _("Disability"),
    }


# --- public call screen ----------------------------------------------------------------------


@bp.get("/")
def display():
    prefixes = requested_prefixes()
    return render_template(
        "queue/display.html",
        state=queue_service.display_state(prefixes or None),
        services_filter=",".join(prefixes),
        options={
            "chime": bool(get_setting("display_chime")),
            "flash": bool(get_setting("display_flash")),
            "speech": bool(get_setting("display_speech")),
            "recent": int(get_setting("display_recent_count")),
        },
    )


# --- kiosk --------------------------------------------------------------------------------------


@bp.route("/registro", methods=["GET", "POST"])
@roles_required(Role.REGISTRAR, Role.ADMIN)
def kiosk():
    services = queue_service.active_services()
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        service = db.session.get(Service, form_id("service_id"))
        priority = request.form.get("priority") or None
        if service is None or (priority and priority not in priority_labels()):
            flash(_("Choose one of the services shown."), "danger")
            return redirect(url_for("queue.kiosk"))
        try:
            ticket = queue_service.issue_ticket(service, priority, actor=current_user)
        except DomainError as error:
            flash(str(error), "warning")
            return redirect(url_for("queue.kiosk"))
        return redirect(url_for("queue.print_ticket", ticket_id=ticket.id))
    return render_template("queue/kiosk.html", services=services, form=EmptyForm(),
                           open_now={s.id: queue_service.is_open(s) for s in services},
                           waiting=queue_service.waiting_counts(services), priorities=priority_labels())


@bp.get("/registro/tickets/<int:ticket_id>")
@roles_required(Role.REGISTRAR, Role.ADMIN)
def print_ticket(ticket_id):
    ticket = db.get_or_404(QueueTicket, ticket_id)
    status_url = url_for("queue.ticket_status_page", token=ticket.token, _external=True)
    buffer = BytesIO()
    segno.make(status_url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True,
                                           nl=False, title=None)
    return render_template("queue/print_ticket.html", ticket=ticket, status_url=status_url,
                           qr_svg=buffer.getvalue().decode(), ahead=queue_service.people_ahead(ticket),
                           priorities=priority_labels())


# --- the person's status page ------------------------------------------------------------------


@bp.get("/t/<token>")
def ticket_status_page(token):
    ticket = _ticket_by_token(token)
    labels = {status.value: str(queue_service.status_label(status)) for status in QueueStatus}
    return render_template("queue/status.html", ticket=ticket, status=queue_service.ticket_status(ticket),
                           labels=labels, form=EmptyForm())


@bp.get("/t/<token>/status")
def ticket_status_json(token):
    return jsonify(queue_service.ticket_status(_ticket_by_token(token)))


@bp.post("/t/<token>/cancel")
def cancel_ticket(token):
    ticket = _ticket_by_token(token)
    if EmptyForm().validate_on_submit():
        try:
            queue_service.cancel(ticket)
            flash(_("You have left the line. Thank you for letting us know."), "info")
        except DomainError as error:
            flash(str(error), "warning")
    return redirect(url_for("queue.ticket_status_page", token=token))


def _ticket_by_token(token):
    if len(token) > 64:
        abort(404)
    try:
        return queue_service.find_by_token(token)
    except DomainError:
        abort(404)


# --- counter panel ---------------------------------------------------------------------------------


@bp.get("/panel")
@roles_required(Role.STAFF)
def panel():
    counters = queue_service.counters_for(current_user)
    counter = current_user.counter if current_user.counter and current_user.counter.active else None
    return render_template("queue/panel.html", counter=counter, counters=counters, form=EmptyForm(),
                           services=queue_service.active_services(),
                           state=panel_state(counter) if counter else None)


@bp.post("/panel/counter")
@roles_required(Role.STAFF)
def choose_counter():
    counter = db.session.get(Counter, form_id("counter_id"))
    if not EmptyForm().validate_on_submit() or counter is None:
        flash(_("Choose one of the active counters."), "danger")
    else:
        try:
            queue_service.take_counter(current_user, counter)
        except DomainError as error:
            flash(str(error), "danger")
    return redirect(url_for("queue.panel"))


@bp.get("/panel/state")
@roles_required(Role.STAFF)
def panel_state_json():
    counter = current_user.counter
    if counter is None:
        return jsonify(error="no_counter", message=_("Choose your counter first.")), 409
    return jsonify(panel_state(counter))


def ticket_json(ticket):
    return {
        "id": ticket.id,
        "ticket": ticket.code,
        "service": ticket.service.name,
        "service_prefix": ticket.service.prefix,
        "priority": priority_labels().get(ticket.priority.value) if ticket.priority else None,
        "status": ticket.status.value,
        "status_label": str(queue_service.status_label(ticket.status)),
        "issued_at": ticket.issued_at.isoformat(),
    }


def panel_state(counter):
    return {
        "counter": counter.name,
        "current": [ticket_json(t) for t in queue_service.counter_tickets(counter, queue_service.OPEN)],
        "on_hold": [ticket_json(t) for t in queue_service.counter_tickets(counter, (QueueStatus.ON_HOLD,))],
        "waiting": [ticket_json(t) for t in queue_service.waiting_for_counter(counter)],
    }


PANEL_ACTIONS = {
    "call": queue_service.call_ticket,
    "recall": queue_service.recall,
    "start": queue_service.start_service,
    "finish": queue_service.finish,
    "no-show": queue_service.mark_no_show,
    "hold": queue_service.hold,
    "resume": queue_service.resume,
}


@bp.post("/panel/call-next")
@roles_required(Role.STAFF)
def call_next():
    return _run_panel_action(lambda counter: queue_service.call_next(counter, current_user))


@bp.post("/panel/tickets/<int:ticket_id>/<any(call, recall, start, finish, 'no-show', hold, resume):action>")
@roles_required(Role.STAFF)
def ticket_action(ticket_id, action):
    ticket = db.get_or_404(QueueTicket, ticket_id)
    return _run_panel_action(lambda counter: PANEL_ACTIONS[action](ticket, counter, current_user))


@bp.post("/panel/tickets/<int:ticket_id>/transfer")
@roles_required(Role.STAFF)
def transfer(ticket_id):
    ticket = db.get_or_404(QueueTicket, ticket_id)
    service = db.session.get(Service, form_id("service_id"))
    if service is None:
        return _panel_error(_("Choose the service to send the queue ticket to."), 400)
    return _run_panel_action(lambda counter: queue_service.transfer(ticket, service, counter, current_user))


def _run_panel_action(action):
    """Run a counter action; JSON for the panel's script, a redirect with a message for plain forms."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        counter = queue_service.ensure_counter(current_user)
        ticket = action(counter)
    except DomainError as error:
        return _panel_error(str(error), error.status, error.code)
    if wants_json():
        return jsonify(ticket=ticket_json(ticket), state=panel_state(counter))
    return redirect(url_for("queue.panel"))


def _panel_error(message, status, code="invalid"):
    if wants_json():
        return jsonify(error=code, message=message), status
    flash(message, "warning")
    return redirect(url_for("queue.panel"))
