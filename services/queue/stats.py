"""Figures for the queue dashboard, computed in the database (never by loading ticket rows).

A report covers the queue tickets issued on local days first_day..last_day (the organisation's
timezone), optionally of one service: the line a ticket is in now, so a transferred ticket
counts for the service that served it.

Durations:
- waiting time = called_at - issued_at (called_at is the first call);
- service time = finished_at - coalesce(serving_started_at, called_at), served tickets only.

The 90th percentile is the nearest-rank one (the smallest value with at least 90 % of the
values at or below it), picked with row_number()/count() windows so that SQLite and
PostgreSQL answer alike.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, case, cast, extract, func, literal_column, or_, select, union_all

from extensions import db
from models import QueueStatus, QueueTicket, Service, User
from services.timeutil import day_bounds, organisation_tz, seconds_between

HOURS_IN_DAY = 24


@dataclass(frozen=True)
class ReportFilter:
    first_day: date
    last_day: date
    service_id: int | None = None


def ticket_conditions(report):
    """WHERE clauses selecting the report's queue tickets (issued_at is indexed)."""
    start, end = day_bounds(report.first_day, report.last_day)
    conditions = [QueueTicket.issued_at >= start, QueueTicket.issued_at < end]
    if report.service_id:
        conditions.append(QueueTicket.service_id == report.service_id)
    return conditions


def waiting_seconds():
    return seconds_between(QueueTicket.called_at, QueueTicket.issued_at)


def service_started():
    return func.coalesce(QueueTicket.serving_started_at, QueueTicket.called_at)


def service_seconds():
    return seconds_between(QueueTicket.finished_at, service_started())


def count_status(status):
    return func.count(case((QueueTicket.status == status, 1)))


# --- counts ---------------------------------------------------------------------------------


def totals(report):
    issued, waiting, served, no_show = db.session.execute(
        select(func.count(), count_status(QueueStatus.WAITING), count_status(QueueStatus.DONE),
               count_status(QueueStatus.NO_SHOW))
        .select_from(QueueTicket).where(*ticket_conditions(report))
    ).one()
    return {"issued": issued, "waiting": waiting, "served": served, "no_show": no_show}


def service_counts(report):
    """Per service: active services (even with no tickets) and any service that had tickets."""
    issued = func.count(QueueTicket.id)
    query = (
        select(Service.id, Service.name, Service.prefix, Service.color, issued.label("issued"),
               count_status(QueueStatus.WAITING).label("waiting"), count_status(QueueStatus.DONE).label("served"),
               count_status(QueueStatus.NO_SHOW).label("no_show"))
        .outerjoin(QueueTicket, and_(QueueTicket.service_id == Service.id, *ticket_conditions(report)))
        .group_by(Service.id, Service.name, Service.prefix, Service.color, Service.active, Service.position)
        .having(or_(Service.active.is_(True), issued > 0))
        .order_by(Service.position, Service.prefix)
    )
    if report.service_id:
        query = query.where(Service.id == report.service_id)
    return [row._asdict() for row in db.session.execute(query)]


def staff_counts(report):
    """Per staff member who called tickets, by the name people see (full name, else username)."""
    name = func.coalesce(func.nullif(User.full_name, ""), User.username)
    query = (
        select(User.id, name.label("name"), func.count(QueueTicket.id).label("called"),
               count_status(QueueStatus.DONE).label("served"))
        .join(QueueTicket, QueueTicket.staff_id == User.id)
        .where(*ticket_conditions(report))
        .group_by(User.id, User.full_name, User.username)
        .order_by(func.lower(name), User.id)
    )
    return [row._asdict() for row in db.session.execute(query)]


# --- durations --------------------------------------------------------------------------------


def duration_samples(report, key):
    """One row per measured duration: (metric, group key, seconds)."""
    conditions = [*ticket_conditions(report), key.is_not(None)]
    waits = select(literal_column("'waiting_time'").label("metric"), key.label("key"),
                   waiting_seconds().label("seconds")).where(*conditions, QueueTicket.called_at.is_not(None))
    services = select(literal_column("'service_time'").label("metric"), key.label("key"),
                      service_seconds().label("seconds")).where(
        *conditions, QueueTicket.status == QueueStatus.DONE, QueueTicket.finished_at.is_not(None),
        service_started().is_not(None))
    return union_all(waits, services).subquery("samples")


def duration_summaries(report, key):
    """{group key: {"waiting_time": summary, "service_time": summary}} with count, average and p90."""
    samples = duration_samples(report, key)
    group = (samples.c.metric, samples.c.key)
    ranked = select(
        samples,
        func.row_number().over(partition_by=group, order_by=samples.c.seconds).label("position"),
        func.count().over(partition_by=group).label("size"),
    ).subquery("ranked")
    # Nearest rank: the first position at or above 90 % of the group (integers, no rounding).
    at_p90 = case((ranked.c.position * 10 >= ranked.c.size * 9, ranked.c.seconds))
    rows = db.session.execute(
        select(ranked.c.metric, ranked.c.key, func.count(), func.avg(ranked.c.seconds), func.min(at_p90))
        .group_by(ranked.c.metric, ranked.c.key)
    )
    summaries = {}
    for metric, group_key, count, average, p90 in rows:
        summaries.setdefault(group_key, empty_durations())[metric] = summary(count, average, p90)
    return summaries


def summary(count, average, p90):
    return {"count": count, "average": round(float(average), 1), "p90": round(float(p90), 1)}


def empty_durations():
    return {metric: {"count": 0, "average": None, "p90": None} for metric in ("waiting_time", "service_time")}


# --- hour of day --------------------------------------------------------------------------------


def local_hour(column, report):
    """SQL: the hour (0-23) of a UTC timestamp column on the organisation's clock."""
    tz = organisation_tz()
    if db.session.get_bind().dialect.name == "postgresql":
        # The column holds naive UTC: mark it as UTC, then read it on the organisation's clock.
        return cast(extract("hour", func.timezone(tz.key, func.timezone("UTC", column))), Integer)
    # SQLite has no timezone database: shift by the organisation's UTC offset at the start of
    # the range. Over a daylight-saving change inside the range, later hours are one hour off.
    start, _ = day_bounds(report.first_day, report.last_day)
    minutes = int(start.astimezone(tz).utcoffset().total_seconds() // 60)
    return cast(func.strftime("%H", column, f"{minutes:+d} minutes"), Integer)


def hourly_counts(report):
    """Tickets issued in each hour of the day: a list of 24 counts, index = local hour."""
    issued = select(local_hour(QueueTicket.issued_at, report).label("hour")).where(
        *ticket_conditions(report)).subquery("issued")
    counts = [0] * HOURS_IN_DAY
    # Grouping by the subquery's column keeps PostgreSQL from seeing two copies of the expression.
    for hour, count in db.session.execute(select(issued.c.hour, func.count()).group_by(issued.c.hour)):
        counts[int(hour)] = count
    return counts


# --- the whole dashboard ------------------------------------------------------------------------


def dashboard_stats(report):
    """Everything the dashboard shows, as plain JSON-ready values."""
    overall = duration_summaries(report, literal_column("0")).get(0, empty_durations())
    by_service = duration_summaries(report, QueueTicket.service_id)
    by_staff = duration_summaries(report, QueueTicket.staff_id)
    return {
        "range": {"start": report.first_day.isoformat(), "end": report.last_day.isoformat(),
                  "service_id": report.service_id, "timezone": organisation_tz().key},
        "totals": totals(report) | overall,
        "services": [row | by_service.get(row["id"], empty_durations()) for row in service_counts(report)],
        "staff": [row | by_staff.get(row["id"], empty_durations()) for row in staff_counts(report)],
        "hours": hourly_counts(report),
    }
