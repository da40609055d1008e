"""Admin set-up of the helpdesk: areas, categories, priorities, locations and agents."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

import realtime
from extensions import db
from forms import AgentForm, AreaForm, CategoryForm, EmptyForm, LocationForm, PriorityForm
from models import Area, Category, Location, Priority, Role, Ticket, User
from routes import page_number, show_domain_error
from security import roles_required
from services.helpdesk import catalogues
from services.helpdesk.assignment import open_ticket_counts
from services.errors import DomainError

bp = Blueprint("admin_helpdesk", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


def render_form(form, title, back, row=None):
    return render_template("admin/helpdesk/form.html", form=form, title=title, back=back, row=row)


def run_action(action, success_message, back):
    """A list button (activate, deactivate, delete): call the service, say what happened, go back."""
    if EmptyForm().validate_on_submit():
        try:
            action()
        except DomainError as error:
            flash(str(error), "danger")
        else:
            flash(success_message, "success")
    return redirect(url_for(back))


# --- areas ----------------------------------------------------------------------------------


@bp.get("/helpdesk/areas")
def areas():
    rows = db.session.scalars(select(Area).options(selectinload(Area.categories)).order_by(Area.name)).all()
    return render_template("admin/helpdesk/areas.html", areas=rows, tickets=catalogues.ticket_counts(Ticket.area_id),
                           action_form=EmptyForm())


@bp.route("/helpdesk/areas/new", methods=["GET", "POST"], defaults={"area_id": None})
@bp.route("/helpdesk/areas/<int:area_id>/edit", methods=["GET", "POST"])
def edit_area(area_id):
    area = db.get_or_404(Area, area_id) if area_id else None
    form = AreaForm(obj=area)
    if form.validate_on_submit():
        try:
            saved = catalogues.save_area(area, current_user, form.name.data, form.description.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Area %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("admin_helpdesk.areas"))
    return render_form(form, area.name if area else _("New area"), "admin_helpdesk.areas", area)


@bp.post("/helpdesk/areas/<int:area_id>/<any(activate, deactivate):action>")
def set_area_active(area_id, action):
    area = db.get_or_404(Area, area_id)
    active = action == "activate"
    message = (_("Area %(name)s activated.", name=area.name) if active
               else _("Area %(name)s deactivated.", name=area.name))
    return run_action(lambda: catalogues.set_area_active(area, active, current_user), message,
                      "admin_helpdesk.areas")


@bp.post("/helpdesk/areas/<int:area_id>/delete")
def delete_area(area_id):
    area = db.get_or_404(Area, area_id)
    return run_action(lambda: catalogues.delete_area(area, current_user),
                      _("Area %(name)s deleted.", name=area.name), "admin_helpdesk.areas")


# --- categories -----------------------------------------------------------------------------


@bp.get("/helpdesk/categories")
def categories():
    rows = db.session.scalars(
        select(Area).options(selectinload(Area.categories).selectinload(Category.default_priority))
        .order_by(Area.name)).all()
    return render_template("admin/helpdesk/categories.html", areas=rows,
                           tickets=catalogues.ticket_counts(Ticket.category_id), action_form=EmptyForm())


def category_choices(form, category):
    areas = catalogues.active_areas()
    if category is not None and not category.area.active:
        areas = [*areas, category.area]
    form.area_id.choices = [SelectChoice("", _l("Choose…"))] + [
        SelectChoice(area.id, area.name if area.active else _("%(name)s (inactive)", name=area.name))
        for area in areas]
    form.default_priority_id.choices = [SelectChoice(p.id, p.name)
                                        for p in catalogues.ensure_priorities(current_user)]


@bp.route("/helpdesk/categories/new", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/helpdesk/categories/<int:category_id>/edit", methods=["GET", "POST"])
def edit_category(category_id):
    category = db.get_or_404(Category, category_id) if category_id else None
    form = CategoryForm(obj=category)
    category_choices(form, category)
    if category is None and request.method == "GET":
        wanted_area = request.args.get("area", type=int)
        form.area_id.data = wanted_area if wanted_area in {c.value for c in form.area_id.choices} else 0
        form.default_priority_id.data = db.session.scalar(select(Priority.id).where(Priority.code == "medium"))
    if form.validate_on_submit():
        try:
            saved = catalogues.save_category(category, current_user, form.area_id.data, form.name.data,
                                             form.default_priority_id.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Category %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("admin_helpdesk.categories"))
    return render_form(form, category.name if category else _("New category"), "admin_helpdesk.categories",
                       category)


@bp.post("/helpdesk/categories/<int:category_id>/<any(activate, deactivate):action>")
def set_category_active(category_id, action):
    category = db.get_or_404(Category, category_id)
    active = action == "activate"
    message = (_("Category %(name)s activated.", name=category.name) if active
               else _("Category %(name)s deactivated.", name=category.name))
    return run_action(lambda: catalogues.set_category_active(category, active, current_user), message,
                      "admin_helpdesk.categories")


@bp.post("/helpdesk/categories/<int:category_id>/delete")
def delete_category(category_id):
    category = db.get_or_404(Category, category_id)
    return run_action(lambda: catalogues.delete_category(category, current_user),
                      _("Category %(name)s deleted.", name=category.name), "admin_helpdesk.categories")


# --- priorities -----------------------------------------------------------------------------


@bp.get("/helpdesk/priorities")
def priorities():
    return render_template("admin/helpdesk/priorities.html", priorities=catalogues.ensure_priorities(current_user))


@bp.route("/helpdesk/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
def edit_priority(priority_id):
    priority = db.get_or_404(Priority, priority_id)
    form = PriorityForm(obj=priority)
    if form.validate_on_submit():
        try:
            catalogues.save_priority(priority, current_user, form.name.data, form.response_hours.data,
                                     form.resolution_hours.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Priority %(name)s saved.", name=priority.name), "success")
            return redirect(url_for("admin_helpdesk.priorities"))
    return render_form(form, priority.name, "admin_helpdesk.priorities", priority)


# --- locations ------------------------------------------------------------------------------


@bp.get("/helpdesk/locations")
def locations():
    rows = db.session.scalars(select(Location).order_by(Location.name)).all()
    return render_template("admin/helpdesk/locations.html", locations=rows,
                           tickets=catalogues.ticket_counts(Ticket.location_id), action_form=EmptyForm())


@bp.route("/helpdesk/locations/new", methods=["GET", "POST"], defaults={"location_id": None})
@bp.route("/helpdesk/locations/<int:location_id>/edit", methods=["GET", "POST"])
def edit_location(location_id):
    location = db.get_or_404(Location, location_id) if location_id else None
    form = LocationForm(obj=location)
    if form.validate_on_submit():
        try:
            saved = catalogues.save_location(location, current_user, form.name.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Location %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("admin_helpdesk.locations"))
    return render_form(form, location.name if location else _("New location"), "admin_helpdesk.locations",
                       location)


@bp.post("/helpdesk/locations/<int:location_id>/<any(activate, deactivate):action>")
def set_location_active(location_id, action):
    location = db.get_or_404(Location, location_id)
    active = action == "activate"
    message = (_("Location %(name)s activated.", name=location.name) if active
               else _("Location %(name)s deactivated.", name=location.name))
    return run_action(lambda: catalogues.set_location_active(location, active, current_user), message,
                      "admin_helpdesk.locations")


@bp.post("/helpdesk/locations/<int:location_id>/delete")
def delete_location(location_id):
    location = db.get_or_404(Location, location_id)
    return run_action(lambda: catalogues.delete_location(location, current_user),
                      _("Location %(name)s deleted.", name=location.name), "admin_helpdesk.locations")


# --- agents ---------------------------------------------------------------------------------


def agent_or_404(user_id):
    agent = catalogues.agent_or_none(user_id)
    if agent is None:
        abort(404)  # other accounts are managed in Users
    return agent


@bp.get("/helpdesk/agents")
def agents():
    page = db.paginate(catalogues.agents_query().options(selectinload(User.areas)), page=page_number(),
                       per_page=50, error_out=False)
    counts = open_ticket_counts([agent.id for agent in page.items]) if page.items else {}
    return render_template("admin/helpdesk/agents.html", page=page, open_counts=counts, action_form=EmptyForm())


@bp.route("/helpdesk/agents/<int:user_id>/edit", methods=["GET", "POST"])
def edit_agent(user_id):
    agent = agent_or_404(user_id)
    form = AgentForm(obj=agent)
    form.area_ids.choices = [SelectChoice(area.id, area.name) for area in catalogues.active_areas()]
    if request.method == "GET":
        form.area_ids.data = [area.id for area in agent.areas if area.active]
    if form.validate_on_submit():
        old_areas = {area.id for area in agent.areas}
        try:
            catalogues.update_agent(agent, current_user, form.area_ids.data, form.specialty.data, form.phone.data,
                                    form.available.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            if {area.id for area in agent.areas} != old_areas:
                # Their open pages listen to the old areas' tickets: they reconnect to the new ones.
                realtime.end_user_sessions(agent.id)
            flash(_("Agent %(name)s saved.", name=agent.display_name), "success")
            return redirect(url_for("admin_helpdesk.agents"))
    inactive_areas = [area for area in agent.areas if not area.active]
    return render_template("admin/helpdesk/agent_form.html", form=form, agent=agent, inactive_areas=inactive_areas,
                           back="admin_helpdesk.agents", open_count=open_ticket_counts([agent.id]).get(agent.id, 0))


@bp.post("/helpdesk/agents/<int:user_id>/<any(available, unavailable):state>")
def set_agent_available(user_id, state):
    agent = agent_or_404(user_id)
    available = state == "available"
    message = (_("%(name)s now receives new tickets.", name=agent.display_name) if available
               else _("%(name)s receives no new tickets for now.", name=agent.display_name))
    return run_action(lambda: catalogues.set_agent_available(agent, available, current_user), message,
                      "admin_helpdesk.agents")
