"""The helpdesk catalogues an admin keeps: areas, categories, priorities, locations, and each agent's
areas, specialty, phone and availability.

Every change writes an audit row in the same transaction. Rows that tickets point at are never
deleted: they are deactivated, so old tickets keep their meaning.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

import events
from extensions import db
from models import AgentArea, Area, Category, Location, Priority, Role, Ticket, User, valid_id
from services import audit
from services.errors import Conflict, ValidationFailed, commit_or_conflict

MAX_HOURS = 8760  # one year: beyond that a due time means nothing
MAX_DESCRIPTION = 2000
# The fixed priority levels: code, default name, level, response hours, resolution hours.
DEFAULT_PRIORITIES = [
    ("low", "Baja", 1, 24, 120),
    ("medium", "Media", 2, 8, 72),
    ("high", "Alta", 3, 4, 24),
    ("critical", "Crítica", 4, 1, 8),
]


# --- areas, categories and locations: named rows tickets point at ---------------------------


class Catalogue:
    """A catalogue of named rows that tickets point at (areas, categories, locations): admins
    create, rename, deactivate and delete them with the same rules, in `save`, `set_active` and
    `delete` below. Each catalogue says what differs: its other fields, where a name must be
    unique, and what keeps a row from being deleted."""

    model = None
    entity = ""  # audit entity type, and the prefix of its actions ("area.created")
    name_max = 120
    ticket_field = ""  # the Ticket column that points at a row
    name_taken = None  # the message when another row has the name
    still_referenced = None  # the message when the database refuses the delete

    def snapshot(self, row):
        return {"name": row.name, "active": row.active}

    def clean(self, row, values):
        """The fields besides the name, checked; a ValidationFailed names the field."""
        return {}

    def name_scope(self, values):
        """Conditions within which names are unique (everywhere, unless said otherwise)."""
        return ()

    def in_use(self, row):
        """Why `row` may not be deleted, or None."""
        if _used_by_tickets(getattr(Ticket, self.ticket_field) == row.id):
            return self.has_tickets(row)
        return None

    def has_tickets(self, row):
        raise NotImplementedError

    def deleted_record(self, row):
        return {}

    def unlink(self, row):
        """Rows of other tables to remove with this one."""


class AreaCatalogue(Catalogue):
    model, entity, name_max, ticket_field = Area, "area", 80, "area_id"
    name_taken = _l("Another area already has that name.")
    still_referenced = _l("This area is in use; deactivate it instead.")

    def snapshot(self, area):
        return {"name": area.name, "description": area.description, "active": area.active}

    def clean(self, area, values):
        description = (values.get("description") or "").strip()
        if len(description) > MAX_DESCRIPTION:
            raise ValidationFailed(_l("At most %(count)d characters.", count=MAX_DESCRIPTION), field="description")
        return {"description": description}

    def in_use(self, area):
        if db.session.scalar(select(Category.id).where(Category.area_id == area.id).limit(1)) is not None:
            return _l("The area %(name)s still has categories; delete or move them first, or deactivate the area "
                      "instead.", name=area.name)
        return super().in_use(area)

    def has_tickets(self, area):
        return _l("The area %(name)s has tickets that must be kept; deactivate it instead.", name=area.name)

    def deleted_record(self, area):
        return {"agent_ids": sorted(db.session.scalars(select(AgentArea.user_id).where(AgentArea.area_id == area.id)))}

    def unlink(self, area):
        db.session.execute(AgentArea.__table__.delete().where(AgentArea.area_id == area.id))


class CategoryCatalogue(Catalogue):
    """A new or moved category needs an active area; names are unique within an area."""

    model, entity, name_max, ticket_field = Category, "category", 120, "category_id"
    name_taken = _l("This area already has a category with that name.")
    still_referenced = _l("This category is in use; deactivate it instead.")

    def snapshot(self, category):
        return {"area_id": category.area_id, "name": category.name,
                "default_priority_id": category.default_priority_id, "active": category.active}

    def clean(self, category, values):
        area_id, priority_id = values.get("area_id"), values.get("default_priority_id")
        area = db.session.get(Area, area_id) if valid_id(area_id) else None
        keeps_area = category is not None and area is not None and area.id == category.area_id
        if area is None or not (area.active or keeps_area):
            raise ValidationFailed(_l("Choose an active area."), field="area_id")
        priority = db.session.get(Priority, priority_id) if valid_id(priority_id) else None
        if priority is None:
            raise ValidationFailed(_l("Choose a priority."), field="default_priority_id")
        return {"area_id": area.id, "default_priority_id": priority.id}

    def name_scope(self, values):
        return (Category.area_id == values["area_id"],)

    def has_tickets(self, category):
        return _l("The category %(name)s has tickets that must be kept; deactivate it instead.", name=category.name)


class LocationCatalogue(Catalogue):
    model, entity, name_max, ticket_field = Location, "location", 120, "location_id"
    name_taken = _l("Another location already has that name.")
    still_referenced = _l("This location is in use; deactivate it instead.")

    # Checked before deleting because the database would quietly blank the tickets' location.
    def has_tickets(self, location):
        return _l("The location %(name)s has tickets that must be kept; deactivate it instead.", name=location.name)


AREAS, CATEGORIES, LOCATIONS = AreaCatalogue(), CategoryCatalogue(), LocationCatalogue()


def save(catalogue, row, actor, name, **values):
    """Create (`row` None) or update a row of `catalogue`, with its audit row."""
    name = _name(name, catalogue.name_max)
    values = catalogue.clean(row, values)
    if _name_taken(catalogue.model, name, row.id if row else None, *catalogue.name_scope(values)):
        raise Conflict(catalogue.name_taken, field="name")
    before = catalogue.snapshot(row) if row else None
    if row is None:
        row = catalogue.model(active=True)
        db.session.add(row)
    for field, value in {"name": name, **values}.items():
        setattr(row, field, value)
    db.session.flush()
    audit.record(actor, f"{catalogue.entity}.{'updated' if before else 'created'}", catalogue.entity, row.id,
                 before=before, after=catalogue.snapshot(row))
    commit_or_conflict(catalogue.name_taken, "name")
    return row


def set_active(catalogue, row, active, actor):
    """An inactive row is offered for no new ticket (an inactive area takes none and is not offered
    to agents); its history stays."""
    if row.active == active:
        return row
    before = catalogue.snapshot(row)
    row.active = active
    audit.record(actor, f"{catalogue.entity}.{'activated' if active else 'deactivated'}", catalogue.entity,
                 row.id, before=before, after=catalogue.snapshot(row))
    db.session.commit()
    return row


def delete(catalogue, row, actor):
    """An explicit admin action, refused while anything still needs the row."""
    reason = catalogue.in_use(row)
    if reason is not None:
        raise Conflict(reason)
    audit.record(actor, f"{catalogue.entity}.deleted", catalogue.entity, row.id,
                 before={**catalogue.snapshot(row), **catalogue.deleted_record(row)})
    catalogue.unlink(row)
    db.session.delete(row)
    commit_or_conflict(catalogue.still_referenced)


# --- shared rules ---------------------------------------------------------------------------


def _name(value, maximum, field="name"):
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed(_l("A name is required."), field=field)
    if len(name) > maximum:
        raise ValidationFailed(_l("At most %(count)d characters.", count=maximum), field=field)
    return name


def _name_taken(model, name, exclude_id, *conditions):
    """Names compare without regard to case, so "Redes" and "redes" cannot both exist."""
    query = select(model.id).where(func.lower(model.name) == name.lower(), *conditions)
    if exclude_id is not None:
        query = query.where(model.id != exclude_id)
    return db.session.scalar(query.limit(1)) is not None


def _used_by_tickets(condition):
    return db.session.scalar(select(Ticket.id).where(condition).limit(1)) is not None


# --- what the admin pages and the API list ----------------------------------------------------


def ticket_counts(column):
    """{id: number of tickets} for a ticket column (category_id, area_id, location_id)."""
    rows = db.session.execute(select(column, func.count()).where(column.is_not(None)).group_by(column))
    return dict(rows.all())


def all_areas():
    return db.session.scalars(select(Area).order_by(Area.name)).all()


def active_areas():
    return db.session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.name)).all()


def areas_with_categories():
    """Every area with its categories and their default priorities (the admin's lists)."""
    return db.session.scalars(
        select(Area).options(selectinload(Area.categories).selectinload(Category.default_priority))
        .order_by(Area.name)).all()


def active_categories():
    """Categories people may file under (theirs and their area active), with the area loaded."""
    return db.session.scalars(
        select(Category).join(Category.area).options(contains_eager(Category.area))
        .where(Category.active.is_(True), Area.active.is_(True)).order_by(Area.name, Category.name)).all()


def all_locations():
    return db.session.scalars(select(Location).order_by(Location.name)).all()


def active_locations():
    return db.session.scalars(select(Location).where(Location.active.is_(True)).order_by(Location.name)).all()


def priorities_by_level():
    return db.session.scalars(select(Priority).order_by(Priority.level)).all()


def filter_options(with_agents):
    """What ticket lists filter by, inactive rows included (old tickets keep them): priorities,
    categories with their area's name, areas, and for lists of everyone's tickets the agents."""
    return {
        "priorities": db.session.execute(select(Priority.id, Priority.name).order_by(Priority.level)).all(),
        "categories": db.session.execute(select(Category.id, Category.name, Area.name.label("area")).join(Area)
                                         .order_by(Area.name, Category.name)).all(),
        "areas": db.session.execute(select(Area.id, Area.name).order_by(Area.name)).all(),
        "agents": db.session.execute(select(User.id, User.full_name, User.username).where(User.role == Role.AGENT)
                                     .order_by(User.full_name)).all() if with_agents else [],
    }


def priority_id_of(code):
    return db.session.scalar(select(Priority.id).where(Priority.code == code))


# --- priorities -----------------------------------------------------------------------------


def priority_snapshot(priority):
    return {"code": priority.code, "name": priority.name, "response_hours": priority.response_hours,
            "resolution_hours": priority.resolution_hours}


def ensure_priorities(actor=None):
    """The four fixed levels, creating any that is missing (a desk set up without demo data),
    in level order. Categories cannot exist without them."""
    existing = {p.code: p for p in db.session.scalars(select(Priority))}
    created = []
    for code, name, level, response, resolution in DEFAULT_PRIORITIES:
        if code not in existing:
            existing[code] = Priority(code=code, name=name, level=level, response_hours=response,
                                      resolution_hours=resolution)
            db.session.add(existing[code])
            created.append(existing[code])
    if created:
        db.session.flush()
        for priority in created:
            audit.record(actor, "priority.created", "priority", priority.id, after=priority_snapshot(priority))
        commit_or_conflict(_l("The priorities were being created at the same moment; reload the page."))
    return sorted(existing.values(), key=lambda p: p.level)


def check_hours(response_hours, resolution_hours):
    for field, value in (("response_hours", response_hours), ("resolution_hours", resolution_hours)):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_HOURS:
            raise ValidationFailed(_l("A whole number of hours from 1 to %(max)d.", max=MAX_HOURS), field=field)
    if resolution_hours < response_hours:
        raise ValidationFailed(_l("Resolution cannot take fewer hours than the first response."),
                               field="resolution_hours")


def save_priority(priority, actor, name, response_hours, resolution_hours):
    """Only the name and the hours change: the codes are fixed, so no level is created or deleted.
    New due times use the new hours; tickets already filed keep theirs."""
    name = _name(name, 40)
    check_hours(response_hours, resolution_hours)
    before = priority_snapshot(priority)
    priority.name, priority.response_hours, priority.resolution_hours = name, response_hours, resolution_hours
    after = priority_snapshot(priority)
    if after != before:
        audit.record(actor, "priority.updated", "priority", priority.id, before=before, after=after)
    db.session.commit()
    return priority


# --- agents ---------------------------------------------------------------------------------


def agent_snapshot(agent):
    return {"area_ids": sorted(area.id for area in agent.areas), "specialty": agent.specialty,
            "phone": agent.phone, "available": agent.available}


def agent_or_none(user_id):
    agent = db.session.get(User, user_id)
    return agent if agent is not None and agent.role == Role.AGENT else None


def update_agent(agent, actor, area_ids, specialty, phone, available):
    """Set an agent's areas (chosen among the active ones), specialty, phone and availability.
    Links to areas deactivated since are kept: they are not offered, so nobody unticked them."""
    if agent.role != Role.AGENT:
        raise ValidationFailed(_l("Only helpdesk agents work for areas."))
    wanted = set(area_ids or [])
    chosen = db.session.scalars(select(Area).where(Area.id.in_(wanted), Area.active.is_(True))).all() if wanted else []
    if len(chosen) != len(wanted):
        raise ValidationFailed(_l("Choose among the active areas."), field="area_ids")
    specialty, phone = (specialty or "").strip(), (phone or "").strip()
    if len(specialty) > 100:
        raise ValidationFailed(_l("At most %(count)d characters.", count=100), field="specialty")
    if len(phone) > 40:
        raise ValidationFailed(_l("At most %(count)d characters.", count=40), field="phone")
    before = agent_snapshot(agent)
    kept = [area for area in agent.areas if not area.active]
    agent.areas = sorted({area.id: area for area in [*kept, *chosen]}.values(), key=lambda a: a.name)
    agent.specialty, agent.phone, agent.available = specialty, phone, bool(available)
    after = agent_snapshot(agent)
    if after != before:
        audit.record(actor, "agent.updated", "user", agent.id, before=before, after=after)
    db.session.commit()
    if after["area_ids"] != before["area_ids"]:
        # Their open pages listen to the old areas' tickets: they reconnect to the new ones.
        events.sessions_ended.send(agent.id)
    return agent


def set_agent_available(agent, available, actor):
    """Unavailable agents keep their tickets but get no new ones automatically."""
    if agent.available == available:
        return agent
    audit.record(actor, "agent.availability_changed", "user", agent.id,
                 before={"available": agent.available}, after={"available": available})
    agent.available = available
    db.session.commit()
    return agent


def agents_page(page, per_page=50):
    """One page of the agents, by name, with their areas loaded."""
    query = (select(User).where(User.role == Role.AGENT).options(selectinload(User.areas))
             .order_by(User.full_name, User.username, User.id))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
