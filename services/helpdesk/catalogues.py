"""The helpdesk catalogues an admin keeps: areas, categories, priorities, locations, and each agent's
areas, specialty, phone and availability.

Every change writes an audit row in the same transaction. Rows that tickets point at are never
deleted: they are deactivated, so old tickets keep their meaning.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import AgentArea, Area, Category, Location, Priority, Role, Ticket, User, valid_id
from services import audit
from services.errors import Conflict, ValidationFailed

MAX_HOURS = 8760  # one year: beyond that a due time means nothing
MAX_DESCRIPTION = 2000
# The fixed priority levels: code, default name, level, response hours, resolution hours.
DEFAULT_PRIORITIES = [
    ("low", "Baja", 1, 24, 120),
    ("medium", "Media", 2, 8, 72),
    ("high", "Alta", 3, 4, 24),
    ("critical", "Crítica", 4, 1, 8),
]


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


def _commit_or_conflict(message, field=None):
    """The database has the last word on uniqueness and references (two admins at once)."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(message, field=field) from None


def _set_active(row, active, actor, entity_type, snapshot):
    if row.active == active:
        return row
    before = snapshot(row)
    row.active = active
    audit.record(actor, f"{entity_type}.{'activated' if active else 'deactivated'}", entity_type, row.id,
                 before=before, after=snapshot(row))
    db.session.commit()
    return row


def _used_by_tickets(condition):
    return db.session.scalar(select(Ticket.id).where(condition).limit(1)) is not None


def ticket_counts(column):
    """{id: number of tickets} for a ticket column (category_id, area_id, location_id)."""
    rows = db.session.execute(select(column, func.count()).where(column.is_not(None)).group_by(column))
    return {key: count for key, count in rows}


# --- areas ----------------------------------------------------------------------------------


def area_snapshot(area):
    return {"name": area.name, "description": area.description, "active": area.active}


def all_areas():
    return db.session.scalars(select(Area).order_by(Area.name)).all()


def active_areas():
    return db.session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.name)).all()


def save_area(area, actor, name, description=""):
    """Create (area=None) or update an area."""
    name = _name(name, 80)
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ValidationFailed(_l("At most %(count)d characters.", count=MAX_DESCRIPTION), field="description")
    if _name_taken(Area, name, area.id if area else None):
        raise Conflict(_l("Another area already has that name."), field="name")
    before = area_snapshot(area) if area else None
    if area is None:
        area = Area(active=True)
        db.session.add(area)
    area.name, area.description = name, description
    db.session.flush()
    audit.record(actor, "area.updated" if before else "area.created", "area", area.id,
                 before=before, after=area_snapshot(area))
    _commit_or_conflict(_l("Another area already has that name."), "name")
    return area


def set_area_active(area, active, actor):
    """An inactive area takes no new tickets and is not offered to agents; its history stays."""
    return _set_active(area, active, actor, "area", area_snapshot)


def delete_area(area, actor):
    if db.session.scalar(select(Category.id).where(Category.area_id == area.id).limit(1)) is not None:
        raise Conflict(_l("The area %(name)s still has categories; delete or move them first, or deactivate "
                          "the area instead.", name=area.name))
    if _used_by_tickets(Ticket.area_id == area.id):
        raise Conflict(_l("The area %(name)s has tickets that must be kept; deactivate it instead.",
                          name=area.name))
    agents = db.session.scalars(select(AgentArea.user_id).where(AgentArea.area_id == area.id)).all()
    audit.record(actor, "area.deleted", "area", area.id,
                 before={**area_snapshot(area), "agent_ids": sorted(agents)})
    db.session.execute(AgentArea.__table__.delete().where(AgentArea.area_id == area.id))
    db.session.delete(area)
    _commit_or_conflict(_l("This area is in use; deactivate it instead."))


# --- categories -----------------------------------------------------------------------------


def category_snapshot(category):
    return {"area_id": category.area_id, "name": category.name,
            "default_priority_id": category.default_priority_id, "active": category.active}


def save_category(category, actor, area_id, name, default_priority_id):
    """Create or update a category. A new or moved category needs an active area."""
    name = _name(name, 120)
    area = db.session.get(Area, area_id) if valid_id(area_id) else None
    keeps_area = category is not None and area is not None and area.id == category.area_id
    if area is None or not (area.active or keeps_area):
        raise ValidationFailed(_l("Choose an active area."), field="area_id")
    priority = db.session.get(Priority, default_priority_id) if valid_id(default_priority_id) else None
    if priority is None:
        raise ValidationFailed(_l("Choose a priority."), field="default_priority_id")
    if _name_taken(Category, name, category.id if category else None, Category.area_id == area.id):
        raise Conflict(_l("This area already has a category with that name."), field="name")
    before = category_snapshot(category) if category else None
    if category is None:
        category = Category(active=True)
        db.session.add(category)
    category.area_id, category.name, category.default_priority_id = area.id, name, priority.id
    db.session.flush()
    audit.record(actor, "category.updated" if before else "category.created", "category", category.id,
                 before=before, after=category_snapshot(category))
    _commit_or_conflict(_l("This area already has a category with that name."), "name")
    return category


def set_category_active(category, active, actor):
    return _set_active(category, active, actor, "category", category_snapshot)


def delete_category(category, actor):
    if _used_by_tickets(Ticket.category_id == category.id):
        raise Conflict(_l("The category %(name)s has tickets that must be kept; deactivate it instead.",
                          name=category.name))
    audit.record(actor, "category.deleted", "category", category.id, before=category_snapshot(category))
    db.session.delete(category)
    _commit_or_conflict(_l("This category is in use; deactivate it instead."))


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
        _commit_or_conflict(_l("The priorities were being created at the same moment; reload the page."))
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


# --- locations ------------------------------------------------------------------------------


def location_snapshot(location):
    return {"name": location.name, "active": location.active}


def save_location(location, actor, name):
    name = _name(name, 120)
    if _name_taken(Location, name, location.id if location else None):
        raise Conflict(_l("Another location already has that name."), field="name")
    before = location_snapshot(location) if location else None
    if location is None:
        location = Location(active=True)
        db.session.add(location)
    location.name = name
    db.session.flush()
    audit.record(actor, "location.updated" if before else "location.created", "location", location.id,
                 before=before, after=location_snapshot(location))
    _commit_or_conflict(_l("Another location already has that name."), "name")
    return location


def set_location_active(location, active, actor):
    return _set_active(location, active, actor, "location", location_snapshot)


def delete_location(location, actor):
    # Checked here because the database would quietly blank the tickets' location instead.
    if _used_by_tickets(Ticket.location_id == location.id):
        raise Conflict(_l("The location %(name)s has tickets that must be kept; deactivate it instead.",
                          name=location.name))
    audit.record(actor, "location.deleted", "location", location.id, before=location_snapshot(location))
    db.session.delete(location)
    _commit_or_conflict(_l("This location is in use; deactivate it instead."))


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


def agents_query():
    return select(User).where(User.role == Role.AGENT).order_by(User.full_name, User.username, User.id)
