"""Time in the organisation's timezone, and durations computed inside the database."""
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from services.settings import timezone_name


def utcnow():
    return datetime.now(UTC)


def organisation_tz():
    return ZoneInfo(timezone_name())


def local_now(now=None):
    return (now or utcnow()).astimezone(organisation_tz())


def local_today(now=None):
    return local_now(now).date()


def day_bounds(first_day, last_day=None):
    """UTC start and end (exclusive) of local days first_day..last_day."""
    tz = organisation_tz()
    start = datetime.combine(first_day, time.min, tzinfo=tz)
    end = datetime.combine((last_day or first_day) + timedelta(days=1), time.min, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


class seconds_between(FunctionElement):
    """SQL expression: seconds from `start` to `end` (two timestamp columns)."""

    type = Float()
    inherit_cache = True


@compiles(seconds_between)
def _seconds_between_sqlite(element, compiler, **kw):
    end, start = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element, compiler, **kw):
    end, start = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"
