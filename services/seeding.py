"""Initial data: the first admin and the fixed priority levels, and with --demo the demo
accounts and catalogues.

Every step looks its row up by a natural key first, so seeding twice changes nothing.
"""
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select

from extensions import db
from models import Area, Category, Counter, CounterService, Location, Priority, Role, Service, User
from services.helpdesk.catalogues import DEFAULT_PRIORITIES

PRIORITIES = DEFAULT_PRIORITIES  # code, name, level, response hours, resolution hours
SERVICES = [("A", "General", "#0d6efd"), ("B", "Caja", "#198754")]
COUNTERS = [("Módulo 1", ["A", "B"]), ("Módulo 2", ["B", "A"]), ("Módulo 3", ["A"])]
AREAS = {
    "Soporte Técnico": [
        ("Acceso a la cuenta", "high"),
        ("Equipo y hardware", "medium"),
        ("Software y aplicaciones", "medium"),
    ],
    "Facturación": [("Pagos", "high"), ("Facturas y comprobantes", "low")],
}
LOCATIONS = ["Edificio Central", "Sede Norte", "Laboratorio"]
# username: areas, specialty, phone
DEMO_AGENTS = {
    "agent1": (["Soporte Técnico"], "Redes y Servidores", "600 100 201"),
    "agent2": (["Soporte Técnico", "Facturación"], "Software", "600 100 202"),
}
DEMO_USERS = [
    # username, role, full name, counter
    ("staff1", Role.STAFF, "Ana Ventanilla", "Módulo 1"),
    ("staff2", Role.STAFF, "Bruno Ventanilla", "Módulo 2"),
    ("registrar1", Role.REGISTRAR, "Rosa Recepción", None),
    ("agent1", Role.AGENT, "Diego Soporte", None),
    ("agent2", Role.AGENT, "Elena Soporte", None),
    ("user1", Role.USER, "Usuario Demo", None),
]


@dataclass
class SeedReport:
    created: list = field(default_factory=list)
    admin_password: str | None = None  # only when generated now; shown once


def _get_or_create(model, lookup, **values):
    row = db.session.scalar(select(model).filter_by(**lookup))
    if row is not None:
        return row, False
    row = model(**lookup, **values)
    db.session.add(row)
    db.session.flush()
    return row, True


def seed_admin(report, username, password=None, must_change=None):
    """Create the first admin unless any admin exists. Without a password one is generated."""
    if db.session.scalar(select(User.id).where(User.role == Role.ADMIN).limit(1)) is not None:
        return
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)
        report.admin_password = password
    admin = User(username=username.lower(), full_name="Administrador", role=Role.ADMIN,
                 must_change_password=generated if must_change is None else must_change)
    admin.set_password(password)
    db.session.add(admin)
    db.session.flush()
    report.created.append(f"user {admin.username} (admin)")


def seed_priorities(report):
    """The four fixed levels every category and ticket needs, demo or not."""
    priorities = {}
    for code, name, level, response, resolution in PRIORITIES:
        priorities[code], created = _get_or_create(
            Priority, {"code": code}, name=name, level=level, response_hours=response,
            resolution_hours=resolution,
        )
        if created:
            report.created.append(f"priority {code}")
    return priorities


def seed_catalogues(report):
    priorities = seed_priorities(report)
    services = {}
    for position, (prefix, name, color) in enumerate(SERVICES):
        services[prefix], created = _get_or_create(
            Service, {"prefix": prefix}, name=name, color=color, position=position
        )
        if created:
            report.created.append(f"service {prefix} {name}")
    for position, (name, prefixes) in enumerate(COUNTERS, start=1):
        counter, created = _get_or_create(Counter, {"name": name}, position=position)
        if created:
            counter.service_links = [
                CounterService(service=services[p], position=i) for i, p in enumerate(prefixes)
            ]
            report.created.append(f"counter {name}")
    for area_name, categories in AREAS.items():
        area, created = _get_or_create(Area, {"name": area_name})
        if created:
            report.created.append(f"area {area_name}")
        for category_name, priority_code in categories:
            _, created = _get_or_create(
                Category, {"area_id": area.id, "name": category_name},
                default_priority_id=priorities[priority_code].id,
            )
            if created:
                report.created.append(f"category {category_name}")
    for name in LOCATIONS:
        _, created = _get_or_create(Location, {"name": name})
        if created:
            report.created.append(f"location {name}")


def seed_demo_users(report, password):
    for username, role, full_name, counter_name in DEMO_USERS:
        if db.session.scalar(select(User.id).where(User.username == username)) is not None:
            continue
        user = User(username=username, full_name=full_name, role=role,
                    email=f"{username}@demo.local", must_change_password=False)
        user.set_password(password)
        if counter_name:
            user.counter = db.session.scalar(select(Counter).where(Counter.name == counter_name))
        if username in DEMO_AGENTS:
            area_names, user.specialty, user.phone = DEMO_AGENTS[username]
            user.areas = list(db.session.scalars(select(Area).where(Area.name.in_(area_names))))
        db.session.add(user)
        report.created.append(f"user {username} ({role.value})")


def seed(admin_username, admin_password=None, demo=False, demo_password=None):
    """Run every seeding step in one transaction and say what was created."""
    report = SeedReport()
    if demo and admin_password is None:
        seed_admin(report, admin_username, demo_password, must_change=False)
    else:
        seed_admin(report, admin_username, admin_password)
    seed_priorities(report)
    if demo:
        seed_catalogues(report)
        seed_demo_users(report, demo_password)
    db.session.commit()
    return report


def demo_logins():
    """(username, role) of the demo accounts that exist, for the start-up banner."""
    names = [u for u, *_ in DEMO_USERS]
    rows = db.session.execute(
        select(User.username, User.role).where(User.active.is_(True))
        .where((User.role == Role.ADMIN) | User.username.in_(names)).order_by(User.id)
    ).all()
    return [(username, role.value) for username, role in rows]
