"""Helpers for the SLA tests: an office week, moments on the organisation's clock, tickets filed
at a given moment with a given priority."""
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from extensions import db
from models import User
from services.helpdesk import business_hours, tickets
from services.settings import save_settings

MEXICO = "America/Mexico_City"  # UTC-6 all year (no DST since 2022)
MORNING, AFTERNOON = (time(8), time(13)), (time(14), time(17))


def office_week(periods=(MORNING, AFTERNOON), days=range(5)):
    """Business hours Monday to Friday (by default 08:00-13:00 and 14:00-17:00), saved as an
    admin would: 8 working hours a day."""
    business_hours.save_weekly_hours({day: list(periods) if day in days else [] for day in range(7)}, None)


def use_timezone(name):
    save_settings({"timezone": name}, None)


def at(year, month, day, hour=0, minute=0, tz=MEXICO):
    """A moment on a local clock, in UTC as the database keeps it."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local(moment, tz=MEXICO):
    """A stored moment on the local clock, without its zone, for readable comparisons."""
    return moment.astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def file_at(desk, moment, priority="critical", category="printer", requester="admin", title="Sin impresora"):
    """A ticket filed at `moment` by staff choosing `priority` (critical: 8 h to resolve)."""
    return tickets.file_ticket(title=title, description="No imprime.", category_id=desk[category],
                               requester=db.session.get(User, desk[requester]),
                               priority_id=desk["priorities"][priority], now=moment)
