"""The counter panel: the staff member's counter, its waiting line, and the buttons that call,
recall, start, finish, park and transfer queue tickets. The panel's script posts with fetch and
gets JSON; without script the same forms redirect back with a message."""
from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from models import Counter, QueueStatus, QueueTicket, Role, Service
from routes.queue import bp
from routes.queue.schemas import QueueTicketSchema, queue_ticket_json
from services.errors import DomainError
from services.queue import line
from services.queue.display import active_services
from web.errors import error_response, wants_json
from web.forms import EmptyForm
from web.pages import form_id
from web.security import roles_required

ACTIONS = {
    "call": line.call_ticket,
    "recall": line.recall,
    "start": line.start_service,
    "finish": line.finish,
    "no-show": line.mark_no_show,
    "hold": line.hold,
    "resume": line.resume,
}


@bp.get("/panel")
@roles_required(Role.STAFF)
def panel():
    counters = line.counters_for(current_user)
    counter = current_user.counter if current_user.counter and current_user.counter.active else None
    return render_template("queue/panel.html", counter=counter, counters=counters, form=EmptyForm(),
                           services=active_services(), state=panel_state(counter) if counter else None)


@bp.post("/panel/counter")
@roles_required(Role.STAFF)
def choose_counter():
    counter = db.session.get(Counter, form_id("counter_id"))
    if not EmptyForm().validate_on_submit() or counter is None:
        flash(_("Choose one of the active counters."), "danger")
    else:
        try:
            line.take_counter(current_user, counter)
        except DomainError as error:
            flash(str(error), "danger")
    return redirect(url_for("queue.panel"))


@bp.get("/panel/state")
@roles_required(Role.STAFF)
def panel_state_json():
    counter = current_user.counter
    if counter is None:
        return error_response(409, "no_counter", _("Choose your counter first."))
    return jsonify(panel_state(counter))


def panel_state(counter):
    many = QueueTicketSchema(many=True)
    return {
        "counter": counter.name,
        "current": many.dump(line.counter_tickets(counter, line.OPEN)),
        "on_hold": many.dump(line.counter_tickets(counter, (QueueStatus.ON_HOLD,))),
        "waiting": many.dump(line.waiting_for_counter(counter)),
    }


@bp.post("/panel/call-next")
@roles_required(Role.STAFF)
def call_next():
    return run_counter_action(lambda counter: line.call_next(counter, current_user))


@bp.post("/panel/tickets/<int:ticket_id>/<any(call, recall, start, finish, 'no-show', hold, resume):action>")
@roles_required(Role.STAFF)
def ticket_action(ticket_id, action):
    ticket = db.get_or_404(QueueTicket, ticket_id)
    return run_counter_action(lambda counter: ACTIONS[action](ticket, counter, current_user))


@bp.post("/panel/tickets/<int:ticket_id>/transfer")
@roles_required(Role.STAFF)
def transfer(ticket_id):
    ticket = db.get_or_404(QueueTicket, ticket_id)
    service = db.session.get(Service, form_id("service_id"))
    if service is None:
        return counter_error(_("Choose the service to send the queue ticket to."), 400)
    return run_counter_action(lambda counter: line.transfer(ticket, service, counter, current_user))


def run_counter_action(action):
    """Run a counter action; JSON for the panel's script, a redirect with a message for plain forms."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        counter = line.ensure_counter(current_user)
        ticket = action(counter)
    except DomainError as error:
        return counter_error(str(error), error.status, error.code)
    if wants_json():
        return jsonify(ticket=queue_ticket_json(ticket), state=panel_state(counter))
    return redirect(url_for("queue.panel"))


def counter_error(message, status, code="invalid"):
    if wants_json():
        return error_response(status, code, message)
    flash(message, "warning")
    return redirect(url_for("queue.panel"))
