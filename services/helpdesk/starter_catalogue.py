"""The starter catalogue a new desk may begin with: the four priorities and a few areas and
categories an IT desk meets every day, in Spanish or English.

These are data, not interface text: they are created once in the language the admin chose and
then belong to the admin, who renames, deactivates or deletes them like any other row. So they
are written out per language here instead of going through the translation catalogues.
"""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from extensions import db
from models import Area, Category, Priority
from services import audit
from services.errors import commit_or_conflict
from services.helpdesk.catalogues import DEFAULT_PRIORITIES, priority_snapshot

LANGUAGES = ("es", "en")
PRIORITY_NAMES = {
    "es": {"low": "Baja", "medium": "Media", "high": "Alta", "critical": "Crítica"},
    "en": {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"},
}


@dataclass(frozen=True)
class StarterArea:
    name: str
    description: str
    categories: tuple  # (name, default priority code), ...


# The same catalogue in both languages, area by area and category by category.
STARTER_AREAS = {
    "es": (
        StarterArea("Soporte técnico", "Equipos, programas, impresoras y red.", (
            ("Equipo o periférico averiado", "medium"),
            ("Impresoras y escáneres", "medium"),
            ("Programas y aplicaciones", "medium"),
            ("Red, wifi e internet", "high"),
            ("Correo electrónico", "medium"),
            ("Virus o correo sospechoso", "critical"),
        )),
        StarterArea("Cuentas y accesos", "Usuarios, contraseñas y permisos.", (
            ("No puedo iniciar sesión", "high"),
            ("Alta o baja de una persona", "medium"),
            ("Permisos en carpetas o sistemas", "low"),
        )),
        StarterArea("Solicitudes", "Equipos nuevos, instalaciones y consultas.", (
            ("Equipo o material nuevo", "low"),
            ("Instalar un programa", "low"),
            ("Otra consulta", "low"),
        )),
    ),
    "en": (
        StarterArea("Technical support", "Computers, software, printers and network.", (
            ("Broken computer or device", "medium"),
            ("Printers and scanners", "medium"),
            ("Software and applications", "medium"),
            ("Network, Wi-Fi and internet", "high"),
            ("Email", "medium"),
            ("Virus or suspicious email", "critical"),
        )),
        StarterArea("Accounts and access", "Users, passwords and permissions.", (
            ("I cannot sign in", "high"),
            ("A person joins or leaves", "medium"),
            ("Access to folders or systems", "low"),
        )),
        StarterArea("Requests", "New equipment, installations and questions.", (
            ("New equipment or supplies", "low"),
            ("Install a program", "low"),
            ("Other question", "low"),
        )),
    ),
}


@dataclass
class Installed:
    """What an installation created (rows that already existed by name are left as they are)."""

    priorities: list = field(default_factory=list)
    areas: list = field(default_factory=list)
    categories: list = field(default_factory=list)


def language(locale):
    return locale if locale in LANGUAGES else LANGUAGES[0]


def starter_areas(locale):
    return STARTER_AREAS[language(locale)]


def priority_names(locale):
    return PRIORITY_NAMES[language(locale)]


def create_priorities(locale, actor, installed=None):
    """The four fixed levels, named in `locale`, creating those missing (existing ones keep the
    names the admin gave them). Every category needs one as its default. Not committed."""
    installed = installed or Installed()
    existing = {priority.code: priority for priority in db.session.scalars(select(Priority))}
    names = priority_names(locale)
    for code, _name, level, response_hours, resolution_hours in DEFAULT_PRIORITIES:
        if code in existing:
            continue
        priority = Priority(code=code, name=names[code], level=level, response_hours=response_hours,
                            resolution_hours=resolution_hours)
        db.session.add(priority)
        db.session.flush()
        audit.record(actor, "priority.created", "priority", priority.id, after=priority_snapshot(priority))
        existing[code] = priority
        installed.priorities.append(priority)
    return existing


def install(locale, actor):
    """Add the starter catalogue in `locale`: priorities, areas and their categories, skipping any
    area or category whose name is already taken (names compare without regard to case, as the
    catalogue pages do), so installing twice adds nothing. Audited; not committed."""
    installed = Installed()
    priorities = create_priorities(locale, actor, installed)
    for starter in starter_areas(locale):
        area = _by_name(select(Area), Area.name, starter.name)
        if area is None:
            area = Area(name=starter.name, description=starter.description, active=True)
            db.session.add(area)
            db.session.flush()
            audit.record(actor, "area.created", "area", area.id,
                         after={"name": area.name, "description": area.description, "active": True})
            installed.areas.append(area)
        for name, priority_code in starter.categories:
            if _by_name(select(Category).where(Category.area_id == area.id), Category.name, name) is not None:
                continue
            category = Category(area_id=area.id, name=name, default_priority_id=priorities[priority_code].id,
                                active=True)
            db.session.add(category)
            db.session.flush()
            audit.record(actor, "category.created", "category", category.id,
                         after={"area_id": area.id, "name": name,
                                "default_priority_id": category.default_priority_id, "active": True})
            installed.categories.append(category)
    return installed


def add_starter_catalogue(locale, actor):
    """`install`, committed: the admin's "add the suggested catalogue" button after set-up."""
    installed = install(locale, actor)
    commit_or_conflict(_l("The catalogue was being created at the same moment; reload the page."))
    return installed


def _by_name(query, column, name):
    return db.session.scalar(query.where(func.lower(column) == name.lower()).limit(1))
