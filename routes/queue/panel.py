"""The counter panel: the staff member's counter, its waiting line, and the buttons that call,
recall, start, finish, park and transfer queue tickets, and open, pause or close the counter.
The buttons are forms that redirect back with a message (a script asking for JSON gets JSON);
the page's live parts (/panel/live) follow every change of the counter and its line."""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from models import Counter, QueueTicket, Role, Service
from routes.queue import bp
from routes.queue.schemas import counter_view, queue_ticket_json
from services.errors import CounterMovedOn, DomainError
from services.queue import line
from services.queue.display import active_services
from web.errors import error_response, wants_json
from web.forms import EmptyForm
from web.pages import form_id, live_fragment, run_action
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
    return render_template("queue/panel.html", counters=counters, **panel_context(counter))


@bp.get("/panel/live")
@roles_required(Role.STAFF)
def panel_live():
    """The panel's live parts alone, for its script to swap in (no counter: the page reloads)."""
    counter = current_user.counter
    if counter is None or not counter.active:
        abort(404)
    return live_fragment(render_template("queue/_panel_live.html", **panel_context(counter)))


def panel_context(counter):
    return {"counter": counter, "form": EmptyForm(), "services": active_services(),
            "state": counter_view(counter) if counter else None, "counter_state_label": line.counter_state_label}


@bp.post("/panel/counter/state")
@roles_required(Role.STAFF)
def counter_state():
    """Take a break or close the counter (with a reason the screens show), or open it again."""
    state = request.form.get("state", "")
    done = {"open": _("The counter is open."), "break": _("The counter is on a break."),
            "closed": _("The counter is closed.")}.get(state, "")
    return run_action(lambda: line.ensure_counter(current_user),
                      lambda counter, form: line.set_counter_state(counter, current_user, state,
                                                                   request.form.get("reason", "")),
                      done=done, to=url_for("queue.panel"), failed_category="warning")


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
    return jsonify(counter_view(counter))


@bp.post("/panel/call-next")
@roles_required(Role.STAFF)
def call_next():
    """The form says which tickets it finishes (those the panel showed); a form without it (an old
    page) leaves the choice to the rule for callers that do not say."""
    finishing = parse_ids(request.form["current"]) if "current" in request.form else None
    return run_counter_action(lambda counter: line.call_next(counter, current_user, finishing))


def parse_ids(text):
    """"12,13" → [12, 13]; anything else in the list is ignored (it matches no open ticket)."""
    return [int(part) for part in (text or "").split(",") if part.strip().isdigit()]


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
    except CounterMovedOn as error:  # the answer is the counter as it is now
        db.session.rollback()
        if wants_json():
            return error_response(error.status, error.code, error.message, state=counter_view(current_user.counter))
        return counter_error(str(error), error.status, error.code)
    except DomainError as error:
        return counter_error(str(error), error.status, error.code)
    if wants_json():
        return jsonify(ticket=queue_ticket_json(ticket), state=counter_view(counter))
    return redirect(url_for("queue.panel"))


def counter_error(message, status, code="invalid"):
    if wants_json():
        return error_response(status, code, message)
    flash(message, "warning")
    return redirect(url_for("queue.panel"))
