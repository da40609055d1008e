"""Admin set-up of the helpdesk (blueprint `admin_helpdesk`): areas, categories and locations,
which share one set of pages (list, new, edit, activate or deactivate, delete), the priorities'
names and hours, and each agent's areas, specialty, phone and availability."""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from extensions import db
from models import Priority, Role, Ticket
from routes.helpdesk.catalogue_forms import AgentForm, AreaForm, CategoryForm, LocationForm, PriorityHoursForm
from services.errors import DomainError
from services.helpdesk import catalogues
from services.helpdesk.assignment import open_ticket_counts
from web.forms import EmptyForm
from web.pages import page_number, run_action, show_domain_error
from web.security import roles_required

bp = Blueprint("admin_helpdesk", __name__)


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


def render_form(form, title, back, row=None):
    return render_template("helpdesk/catalogues/form.html", form=form, title=title, back=back, row=row)


# --- areas, categories and locations ---------------------------------------------------------


@dataclass(frozen=True)
class CataloguePages:
    """How one catalogue's pages differ: its form, the URL argument naming a row, what its
    messages say, and how the form is filled and read."""

    catalogue: catalogues.Catalogue
    path: str  # under /helpdesk/
    id_name: str
    form_class: type
    list_endpoint: str
    messages: Callable  # (name) -> {"new", "saved", "activated", "deactivated", "deleted"}
    values: Callable = lambda form: {}  # the form's fields besides the name, for catalogues.save
    prepare: Callable = lambda form, row: None  # fills choices and a new row's defaults

    def edit(self, **ids):
        row_id = ids[self.id_name]
        row = db.get_or_404(self.catalogue.model, row_id) if row_id else None
        form = self.form_class(obj=row)
        self.prepare(form, row)
        if form.validate_on_submit():
            try:
                saved = catalogues.save(self.catalogue, row, current_user, form.name.data, **self.values(form))
            except DomainError as error:
                db.session.rollback()
                show_domain_error(form, error)
            else:
                flash(self.messages(saved.name)["saved"], "success")
                return redirect(url_for(self.list_endpoint))
        return render_form(form, row.name if row else self.messages("")["new"], self.list_endpoint, row)

    def set_active(self, action, **ids):
        row = db.get_or_404(self.catalogue.model, ids[self.id_name])
        active = action == "activate"
        return run_action(lambda: row,
                          lambda row, form: catalogues.set_active(self.catalogue, row, active, current_user),
                          done=self.messages(row.name)["activated" if active else "deactivated"],
                          to=url_for(self.list_endpoint))

    def delete(self, **ids):
        row = db.get_or_404(self.catalogue.model, ids[self.id_name])
        return run_action(lambda: row, lambda row, form: catalogues.delete(self.catalogue, row, current_user),
                          done=self.messages(row.name)["deleted"], to=url_for(self.list_endpoint))

    def register(self):
        entity, base = self.catalogue.entity, f"/helpdesk/{self.path}"
        bp.add_url_rule(f"{base}/new", f"edit_{entity}", self.edit, methods=["GET", "POST"],
                        defaults={self.id_name: None})
        bp.add_url_rule(f"{base}/<int:{self.id_name}>/edit", f"edit_{entity}", self.edit, methods=["GET", "POST"])
        bp.add_url_rule(f"{base}/<int:{self.id_name}>/<any(activate, deactivate):action>", f"set_{entity}_active",
                        self.set_active, methods=["POST"])
        bp.add_url_rule(f"{base}/<int:{self.id_name}>/delete", f"delete_{entity}", self.delete, methods=["POST"])


def area_messages(name):
    return {"new": _("New area"), "saved": _("Area %(name)s saved.", name=name),
            "activated": _("Area %(name)s activated.", name=name),
            "deactivated": _("Area %(name)s deactivated.", name=name),
            "deleted": _("Area %(name)s deleted.", name=name)}


def category_messages(name):
    return {"new": _("New category"), "saved": _("Category %(name)s saved.", name=name),
            "activated": _("Category %(name)s activated.", name=name),
            "deactivated": _("Category %(name)s deactivated.", name=name),
            "deleted": _("Category %(name)s deleted.", name=name)}


def location_messages(name):
    return {"new": _("New location"), "saved": _("Location %(name)s saved.", name=name),
            "activated": _("Location %(name)s activated.", name=name),
            "deactivated": _("Location %(name)s deactivated.", name=name),
            "deleted": _("Location %(name)s deleted.", name=name)}


def prepare_category_form(form, category):
    """Active areas (and the category's own, even inactive) and the priorities; a new category
    starts in the area the list asked for (?area=) with the medium priority."""
    areas = catalogues.active_areas()
    if category is not None and not category.area.active:
        areas = [*areas, category.area]
    form.area_id.choices = [SelectChoice("", _l("Choose…"))] + [
        SelectChoice(area.id, area.name if area.active else _("%(name)s (inactive)", name=area.name))
        for area in areas]
    form.default_priority_id.choices = [SelectChoice(p.id, p.name)
                                        for p in catalogues.ensure_priorities(current_user)]
    if category is None and request.method == "GET":
        wanted_area = request.args.get("area", type=int)
        form.area_id.data = wanted_area if wanted_area in {c.value for c in form.area_id.choices} else 0
        form.default_priority_id.data = catalogues.priority_id_of("medium")


AREA_PAGES = CataloguePages(catalogues.AREAS, "areas", "area_id", AreaForm, "admin_helpdesk.areas", area_messages,
                            values=lambda form: {"description": form.description.data})
CATEGORY_PAGES = CataloguePages(
    catalogues.CATEGORIES, "categories", "category_id", CategoryForm, "admin_helpdesk.categories", category_messages,
    values=lambda form: {"area_id": form.area_id.data, "default_priority_id": form.default_priority_id.data},
    prepare=prepare_category_form)
LOCATION_PAGES = CataloguePages(catalogues.LOCATIONS, "locations", "location_id", LocationForm,
                                "admin_helpdesk.locations", location_messages)
for pages in (AREA_PAGES, CATEGORY_PAGES, LOCATION_PAGES):
    pages.register()


@bp.get("/helpdesk/areas")
def areas():
    return render_template("helpdesk/catalogues/areas.html", areas=catalogues.areas_with_categories(),
                           tickets=catalogues.ticket_counts(Ticket.area_id), action_form=EmptyForm())


@bp.get("/helpdesk/categories")
def categories():
    return render_template("helpdesk/catalogues/categories.html", areas=catalogues.areas_with_categories(),
                           tickets=catalogues.ticket_counts(Ticket.category_id), action_form=EmptyForm())


@bp.get("/helpdesk/locations")
def locations():
    return render_template("helpdesk/catalogues/locations.html", locations=catalogues.all_locations(),
                           tickets=catalogues.ticket_counts(Ticket.location_id), action_form=EmptyForm())


# --- priorities -----------------------------------------------------------------------------


@bp.get("/helpdesk/priorities")
def priorities():
    return render_template("helpdesk/catalogues/priorities.html", priorities=catalogues.ensure_priorities(current_user))


@bp.route("/helpdesk/priorities/<int:priority_id>/edit", methods=["GET", "POST"])
def edit_priority(priority_id):
    priority = db.get_or_404(Priority, priority_id)
    form = PriorityHoursForm(obj=priority)
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


# --- agents ---------------------------------------------------------------------------------


def agent_or_404(user_id):
    agent = catalogues.agent_or_none(user_id)
    if agent is None:
        abort(404)  # other accounts are managed in Users
    return agent


@bp.get("/helpdesk/agents")
def agents():
    page = catalogues.agents_page(page_number())
    counts = open_ticket_counts([agent.id for agent in page.items]) if page.items else {}
    return render_template("helpdesk/catalogues/agents.html", page=page, open_counts=counts, action_form=EmptyForm())


@bp.route("/helpdesk/agents/<int:user_id>/edit", methods=["GET", "POST"])
def edit_agent(user_id):
    agent = agent_or_404(user_id)
    form = AgentForm(obj=agent)
    form.area_ids.choices = [SelectChoice(area.id, area.name) for area in catalogues.active_areas()]
    if request.method == "GET":
        form.area_ids.data = [area.id for area in agent.areas if area.active]
    if form.validate_on_submit():
        try:
            catalogues.update_agent(agent, current_user, form.area_ids.data, form.specialty.data, form.phone.data,
                                    form.available.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Agent %(name)s saved.", name=agent.display_name), "success")
            return redirect(url_for("admin_helpdesk.agents"))
    inactive_areas = [area for area in agent.areas if not area.active]
    return render_template("helpdesk/catalogues/agent_form.html", form=form, agent=agent, inactive_areas=inactive_areas,
                           back="admin_helpdesk.agents", open_count=open_ticket_counts([agent.id]).get(agent.id, 0))


@bp.post("/helpdesk/agents/<int:user_id>/<any(available, unavailable):state>")
def set_agent_available(user_id, state):
    agent = agent_or_404(user_id)
    available = state == "available"
    done = (_("%(name)s now receives new tickets.", name=agent.display_name) if available
            else _("%(name)s receives no new tickets for now.", name=agent.display_name))
    return run_action(lambda: agent,
                      lambda agent, form: catalogues.set_agent_available(agent, available, current_user),
                      done=done, to=url_for("admin_helpdesk.agents"))
