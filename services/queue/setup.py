"""The admin's set-up of the walk-in queue: services with opening hours, counters with the services
they call, and named call screens."""
import re
from datetime import time

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from extensions import db
from models import Counter, CounterService, QueueTicket, Screen, Service, ServiceHours
from services import audit
from services.errors import Conflict, ValidationFailed, commit_or_conflict

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_periods(text, field):
    """"08:00-13:00, 15:00-18:00" -> [(time, time), ...]; empty text -> []."""
    periods = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        match = PERIOD.match(part)
        if not match:
            raise ValidationFailed(_l("Write periods like 08:00-13:00, 15:00-18:00."), field=field)
        h1, m1, h2, m2 = map(int, match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
            raise ValidationFailed(_l("%(period)s is not a time of day.", period=part), field=field)
        opens, closes = time(h1, m1), time(23, 59, 59) if h2 == 24 else time(h2, m2)
        if closes <= opens:
            raise ValidationFailed(_l("%(period)s closes before it opens.", period=part), field=field)
        periods.append((opens, closes))
    return periods


def format_periods(service, weekday):
    return ", ".join(f"{h.opens_at:%H:%M}-{'24:00' if h.closes_at == time(23, 59, 59) else f'{h.closes_at:%H:%M}'}"
                     for h in service.hours if h.weekday == weekday)


def service_snapshot(service):
    return {"name": service.name, "prefix": service.prefix, "color": service.color, "active": service.active,
            "position": service.position,
            "hours": {day: format_periods(service, i) for i, day in enumerate(WEEKDAYS) if format_periods(service, i)}}


def save_service(service, actor, name, prefix, color, position, active, hours_text):
    """Create (service=None) or update a service. `hours_text`: {"mon": "08:00-13:00", ...}."""
    prefix = (prefix or "").strip().upper()
    periods = {i: parse_periods(hours_text.get(day), f"hours_{day}") for i, day in enumerate(WEEKDAYS)}
    clash = db.session.scalar(select(Service.id).where(Service.prefix == prefix))
    if clash is not None and (service is None or clash != service.id):
        raise Conflict(_l("Another service already uses the prefix %(prefix)s.", prefix=prefix), field="prefix")
    before = service_snapshot(service) if service else None
    if service is None:
        service = Service()
        db.session.add(service)
    service.name, service.prefix, service.color = name.strip(), prefix, color
    service.position, service.active = position or 0, active
    service.hours = [ServiceHours(weekday=day, opens_at=opens, closes_at=closes)
                     for day, day_periods in periods.items() for opens, closes in day_periods]
    db.session.flush()
    audit.record(actor, "service.updated" if before else "service.created", "service", service.id,
                 before=before, after=service_snapshot(service))
    commit_or_conflict(_l("Another service already uses that prefix."), "prefix")
    return service


def delete_service(service, actor):
    _refuse_if_used(QueueTicket.issued_service_id == service.id, QueueTicket.service_id == service.id)
    audit.record(actor, "service.deleted", "service", service.id, before=service_snapshot(service))
    db.session.delete(service)
    commit_or_conflict(_l("This service has history that must be kept; deactivate it instead."))


def all_services():
    return db.session.scalars(select(Service).order_by(Service.position, Service.prefix)).all()


def all_counters():
    return db.session.scalars(select(Counter).order_by(Counter.position, Counter.name)).all()


def active_counters():
    return db.session.scalars(select(Counter).where(Counter.active.is_(True)).order_by(Counter.position)).all()


def counter_snapshot(counter):
    return {"name": counter.name, "active": counter.active, "position": counter.position,
            "services": [link.service_id for link in counter.service_links]}


def save_counter(counter, actor, name, position, active, service_order):
    """Create or update a counter. `service_order`: service ids, most preferred first."""
    name = (name or "").strip()
    if not service_order:
        raise ValidationFailed(_l("Choose at least one service this counter calls."), field="services")
    clash = db.session.scalar(select(Counter.id).where(Counter.name == name))
    if clash is not None and (counter is None or clash != counter.id):
        raise Conflict(_l("Another counter already has that name."), field="name")
    before = counter_snapshot(counter) if counter else None
    if counter is None:
        counter = Counter()
        db.session.add(counter)
    counter.name, counter.position, counter.active = name, position or 0, active
    counter.service_links = [CounterService(service_id=service_id, position=index)
                             for index, service_id in enumerate(service_order)]
    db.session.flush()
    audit.record(actor, "counter.updated" if before else "counter.created", "counter", counter.id,
                 before=before, after=counter_snapshot(counter))
    commit_or_conflict(_l("Another counter already has that name."), "name")
    return counter


def delete_counter(counter, actor):
    _refuse_if_used(QueueTicket.counter_id == counter.id)
    audit.record(actor, "counter.deleted", "counter", counter.id, before=counter_snapshot(counter))
    db.session.delete(counter)
    commit_or_conflict(_l("This counter has history that must be kept; deactivate it instead."))


# --- named call screens -----------------------------------------------------------------------

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
LOCALES = ("es", "en")
TICKER_MAX = 300


def all_screens():
    return db.session.scalars(select(Screen).order_by(Screen.name)).all()


def active_screen(slug):
    """The active screen at /screen/<slug>, or None."""
    return db.session.scalar(select(Screen).where(Screen.slug == slug, Screen.active.is_(True))) if slug else None


def screen_prefixes(screen):
    """The prefixes a screen shows; empty: every service."""
    return [service.prefix for service in screen.services if service.active]


def screen_snapshot(screen):
    return {"name": screen.name, "slug": screen.slug, "locale": screen.locale, "recent_count": screen.recent_count,
            "ticker": screen.ticker, "active": screen.active, "services": [s.id for s in screen.services]}


def save_screen(screen, actor, name, slug, service_ids, locale=None, recent_count=None, ticker="", active=True):
    """Create or update a named screen. The slug is its address: lower-case letters, digits and
    dashes (sala-espera-1); no services chosen means every service."""
    name, slug, ticker = " ".join((name or "").split()), (slug or "").strip().lower(), " ".join((ticker or "").split())
    if not name:
        raise ValidationFailed(_l("A name is required."), field="name")
    if not SLUG.match(slug) or len(slug) > 60:
        raise ValidationFailed(_l("Lower-case letters, digits and dashes, like sala-de-espera."), field="slug")
    if locale not in (None, "", *LOCALES):
        raise ValidationFailed(_l("Choose a language."), field="locale")
    if recent_count is not None and not 0 <= recent_count <= 12:
        raise ValidationFailed(_l("From 0 to 12."), field="recent_count")
    if len(ticker) > TICKER_MAX:
        raise ValidationFailed(_l("At most %(count)d characters.", count=TICKER_MAX), field="ticker")
    services = db.session.scalars(select(Service).where(Service.id.in_(service_ids or []))).all()
    for other in db.session.scalars(select(Screen).where((Screen.slug == slug) | (Screen.name == name))):
        if screen is None or other.id != screen.id:
            field = "slug" if other.slug == slug else "name"
            raise Conflict(_l("Another screen already has that address.") if field == "slug"
                           else _l("Another screen already has that name."), field=field)
    before = screen_snapshot(screen) if screen else None
    if screen is None:
        screen = Screen()
        db.session.add(screen)
    screen.name, screen.slug, screen.locale, screen.recent_count = name, slug, locale or None, recent_count
    screen.ticker, screen.active, screen.services = ticker, active, services
    db.session.flush()
    audit.record(actor, "screen.updated" if before else "screen.created", "screen", screen.id,
                 before=before, after=screen_snapshot(screen))
    commit_or_conflict(_l("Another screen already has that name or address."), "slug")
    return screen


def delete_screen(screen, actor):
    """A screen keeps no history: deleting it only frees its address (the TV shows a 404 page)."""
    audit.record(actor, "screen.deleted", "screen", screen.id, before=screen_snapshot(screen))
    db.session.delete(screen)
    db.session.commit()


def _refuse_if_used(*conditions):
    for condition in conditions:
        if db.session.scalar(select(QueueTicket.id).where(condition).limit(1)) is not None:
            raise Conflict(_l("It has queue tickets that must be kept; deactivate it instead."))
