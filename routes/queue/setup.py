"""Admin set-up of the walk-in queue (blueprint `admin_queue`): services with their opening hours,
counters with the services they call, in order, and named call screens."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from extensions import db
from models import Counter, Role, Screen, Service
from routes.queue.forms import WEEKDAY_LABELS, CounterForm, ScreenForm, ServiceForm
from services.errors import DomainError
from services.queue import setup as queue_setup
from services.queue.line import counter_state_label
from web.forms import EmptyForm
from web.pages import run_action, show_domain_error
from web.security import roles_required

bp = Blueprint("admin_queue", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.get("/services")
def services():
    return render_template("queue/setup/services.html", services=queue_setup.all_services(), action_form=EmptyForm(),
                           weekdays=queue_setup.WEEKDAYS, format_periods=queue_setup.format_periods,
                           weekday_names=dict(WEEKDAY_LABELS))


@bp.route("/services/new", methods=["GET", "POST"], defaults={"service_id": None})
@bp.route("/services/<int:service_id>/edit", methods=["GET", "POST"])
def edit_service(service_id):
    service = db.get_or_404(Service, service_id) if service_id else None
    form = ServiceForm(obj=service)
    if service and request.method == "GET":
        for index, day in enumerate(queue_setup.WEEKDAYS):
            form[f"hours_{day}"].data = queue_setup.format_periods(service, index)
    if form.validate_on_submit():
        try:
            saved = queue_setup.save_service(service, current_user, form.name.data, form.prefix.data,
                                             form.color.data, form.position.data, form.active.data,
                                             form.hours_text())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Service %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("admin_queue.services"))
    return render_template("queue/setup/service_form.html", form=form, service=service)


@bp.post("/services/<int:service_id>/delete")
def delete_service(service_id):
    return run_action(lambda: db.get_or_404(Service, service_id),
                      lambda service, form: queue_setup.delete_service(service, current_user),
                      done=_("Service deleted."), to=url_for("admin_queue.services"))


@bp.get("/counters")
def counters():
    return render_template("queue/setup/counters.html", counters=queue_setup.all_counters(), action_form=EmptyForm(),
                           counter_state_label=counter_state_label)


def service_order_from_form(services):
    """Services ticked for the counter, ordered by the number typed beside each (1 = first)."""
    chosen = []
    for service in services:
        raw = request.form.get(f"service_{service.id}", "").strip()
        if raw:
            if not raw.isdigit() or not 1 <= int(raw) <= 99:
                return None, service
            chosen.append((int(raw), service.position, service.id))
    return [service_id for *_, service_id in sorted(chosen)], None


@bp.route("/counters/new", methods=["GET", "POST"], defaults={"counter_id": None})
@bp.route("/counters/<int:counter_id>/edit", methods=["GET", "POST"])
def edit_counter(counter_id):
    counter = db.get_or_404(Counter, counter_id) if counter_id else None
    form = CounterForm(obj=counter)
    services = queue_setup.all_services()
    order = {link.service_id: index + 1 for index, link in enumerate(counter.service_links)} if counter else {}
    service_error = None
    if form.validate_on_submit():
        service_order, bad_service = service_order_from_form(services)
        if bad_service is not None:
            service_error = _("Use a number from 1 to 99 for %(service)s, or leave it empty.",
                              service=bad_service.name)
        else:
            try:
                saved = queue_setup.save_counter(counter, current_user, form.name.data, form.position.data,
                                                 form.active.data, service_order)
            except DomainError as error:
                if error.field == "services":
                    service_error = str(error.message)
                else:
                    show_domain_error(form, error)
            else:
                flash(_("Counter %(name)s saved.", name=saved.name), "success")
                return redirect(url_for("admin_queue.counters"))
    if request.method == "POST":
        order = {s.id: request.form.get(f"service_{s.id}", "") for s in services}
    return render_template("queue/setup/counter_form.html", form=form, counter=counter, services=services,
                           order=order, service_error=service_error), 200 if not service_error else 400


@bp.post("/counters/<int:counter_id>/delete")
def delete_counter(counter_id):
    return run_action(lambda: db.get_or_404(Counter, counter_id),
                      lambda counter, form: queue_setup.delete_counter(counter, current_user),
                      done=_("Counter deleted."), to=url_for("admin_queue.counters"))


# --- named call screens -------------------------------------------------------------------------


@bp.get("/screens")
def screens():
    return render_template("queue/setup/screens.html", screens=queue_setup.all_screens(), action_form=EmptyForm())


@bp.route("/screens/new", methods=["GET", "POST"], defaults={"screen_id": None})
@bp.route("/screens/<int:screen_id>/edit", methods=["GET", "POST"])
def edit_screen(screen_id):
    screen = db.get_or_404(Screen, screen_id) if screen_id else None
    form = ScreenForm(obj=screen)
    form.service_ids.choices = [SelectChoice(s.id, f"{s.prefix} · {s.name}") for s in queue_setup.all_services()]
    if request.method == "GET" and screen is not None:
        form.service_ids.data = [service.id for service in screen.services]
        form.locale.data = screen.locale or ""
    if form.validate_on_submit():
        try:
            saved = queue_setup.save_screen(screen, current_user, form.name.data, form.slug.data, form.service_ids.data,
                                            form.locale.data or None, form.recent_count.data, form.ticker.data,
                                            form.active.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Screen %(name)s saved. Open it on the TV at %(address)s.", name=saved.name,
                    address=url_for("queue.named_screen", slug=saved.slug, _external=True)), "success")
            return redirect(url_for("admin_queue.screens"))
    return render_template("queue/setup/screen_form.html", form=form, screen=screen)


@bp.post("/screens/<int:screen_id>/delete")
def delete_screen(screen_id):
    return run_action(lambda: db.get_or_404(Screen, screen_id),
                      lambda screen, form: queue_setup.delete_screen(screen, current_user),
                      done=_("Screen deleted."), to=url_for("admin_queue.screens"))
