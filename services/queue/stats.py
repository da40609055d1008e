"""Figures for the queue dashboard, computed in the database (never by loading ticket rows).

A report covers the queue tickets issued on local days first_day..last_day (the organisation's
timezone), or the whole history when both are None; optionally of one service.

Which service a figure belongs to. A queue ticket has two: `issued_service_id`, the service it
was issued for (its code A-023 says so), and `service_id`, the line it is in now, which a
transfer at the counter changes. Each figure takes the one where the thing it counts happened:

- issued, tickets per hour: the issued service (a ticket A-023 sent on to the cashier is still
  one of A's issued numbers, and is never counted twice);
- waiting now, served, no-shows: the current line (where they wait now, were served, did not
  come forward);
- waiting time (issue to first call): the issued service, since the first call ends the wait
  in the line the person joined. A ticket transferred before it was ever called counts its whole
  wait there too: the ticket keeps no record of when it changed lines;
- service time: the current line, the one that served it;
- per staff member: called, served and service time count the tickets whose latest call was
  theirs (`staff_id`: a transfer hands the ticket to whoever calls it next). Waiting time per
  staff member counts only tickets that stayed in the line they were issued for, whose first
  call was made by the person recorded; the first caller of a transferred one is not recorded.

A report of one service keeps every ticket issued for it or in its line now, and each figure
then filters on its own column, so a transfer from A to B shows in A's issued and in B's served.

Durations:
- waiting time = called_at - issued_at (called_at is the first call);
- service time = finished_at - the start of service: serving_started_at when staff pressed
  "start", else the latest call (last_called_at: after a transfer, the call in the line that
  served it; after a recall, the call the person answered), served tickets only.

The 90th percentile is the nearest-rank one (the smallest value with at least 90 % of the
values at or below it), picked with row_number()/count() windows so that SQLite and
PostgreSQL answer alike.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, case, cast, extract, func, literal_column, null, or_, select, true, union_all

from extensions import db
from models import QueueStatus, QueueTicket, Service, User
from services.timeutil import day_bounds, organisation_tz, seconds_between, utcnow

HOURS_IN_DAY = 24


@dataclass(frozen=True)
class ReportFilter:
    """Local days first_day..last_day, or the whole history when both are None."""

    first_day: date | None
    last_day: date | None
    service_id: int | None = None

    @classmethod
    def whole_history(cls, service_id=None):
        return cls(None, None, service_id)

    @property
    def is_whole_history(self):
        return self.first_day is None and self.last_day is None


def ticket_conditions(report):
    """WHERE clauses selecting the report's queue tickets (issued_at is indexed): issued in the
    period and, for one service, issued for it or in its line now."""
    conditions = []
    if not report.is_whole_history:
        start, end = day_bounds(report.first_day, report.last_day)
        conditions += [QueueTicket.issued_at >= start, QueueTicket.issued_at < end]
    if report.service_id:
        conditions.append(or_(QueueTicket.issued_service_id == report.service_id,
                              QueueTicket.service_id == report.service_id))
    return conditions


def of_service(column, report):
    """The report's service on `column` (issued_service_id or service_id); always true for all."""
    return column == report.service_id if report.service_id else true()


def waiting_seconds():
    return seconds_between(QueueTicket.called_at, QueueTicket.issued_at)


def service_started():
    return func.coalesce(QueueTicket.serving_started_at, QueueTicket.last_called_at, QueueTicket.called_at)


def service_seconds():
    return seconds_between(QueueTicket.finished_at, service_started())


def count_where(*conditions):
    return func.count(case((and_(*conditions), 1)))


def count_status(status, *conditions):
    return count_where(QueueTicket.status == status, *conditions)


# --- counts ---------------------------------------------------------------------------------


def totals(report):
    in_line = of_service(QueueTicket.service_id, report)
    issued, waiting, served, no_show = db.session.execute(
        select(count_where(of_service(QueueTicket.issued_service_id, report)),
               count_status(QueueStatus.WAITING, in_line), count_status(QueueStatus.DONE, in_line),
               count_status(QueueStatus.NO_SHOW, in_line))
        .select_from(QueueTicket).where(*ticket_conditions(report))
    ).one()
    return {"issued": issued, "waiting": waiting, "served": served, "no_show": no_show}


def service_counts(report):
    """Per service: issued by issued service, the rest by current line; every active service
    (even with no tickets) and any service that had tickets either way."""
    issued = (
        select(QueueTicket.issued_service_id.label("service_id"), func.count().label("issued"))
        .where(*ticket_conditions(report)).group_by(QueueTicket.issued_service_id).subquery("issued")
    )
    in_line = (
        select(QueueTicket.service_id.label("service_id"),
               count_status(QueueStatus.WAITING).label("waiting"), count_status(QueueStatus.DONE).label("served"),
               count_status(QueueStatus.NO_SHOW).label("no_show"))
        .where(*ticket_conditions(report)).group_by(QueueTicket.service_id).subquery("in_line")
    )
    query = (
        select(Service.id, Service.name, Service.prefix, Service.color,
               func.coalesce(issued.c.issued, 0).label("issued"), func.coalesce(in_line.c.waiting, 0).label("waiting"),
               func.coalesce(in_line.c.served, 0).label("served"), func.coalesce(in_line.c.no_show, 0).label("no_show"))
        .outerjoin(issued, issued.c.service_id == Service.id)
        .outerjoin(in_line, in_line.c.service_id == Service.id)
        .where(or_(Service.active.is_(True), issued.c.service_id.is_not(None), in_line.c.service_id.is_not(None)))
        .order_by(Service.position, Service.prefix)
    )
    if report.service_id:
        query = query.where(Service.id == report.service_id)
    return [row._asdict() for row in db.session.execute(query)]


def staff_counts(report):
    """Per staff member who made the latest call of a ticket of the report's line, by the name
    people see (full name, else username)."""
    name = func.coalesce(func.nullif(User.full_name, ""), User.username)
    query = (
        select(User.id, name.label("name"), func.count(QueueTicket.id).label("called"),
               count_status(QueueStatus.DONE).label("served"))
        .join(QueueTicket, QueueTicket.staff_id == User.id)
        .where(*ticket_conditions(report), of_service(QueueTicket.service_id, report))
        .group_by(User.id, User.full_name, User.username)
        .order_by(func.lower(name), User.id)
    )
    return [row._asdict() for row in db.session.execute(query)]


# --- durations --------------------------------------------------------------------------------


def duration_samples(report, wait_key, service_key):
    """One row per measured duration: (metric, group key, seconds). Waits are grouped by
    `wait_key` and counted for the issued service, service times by `service_key` and the line."""
    conditions = ticket_conditions(report)
    waits = select(literal_column("'waiting_time'").label("metric"), wait_key.label("key"),
                   waiting_seconds().label("seconds")).where(
        *conditions, of_service(QueueTicket.issued_service_id, report), wait_key.is_not(None),
        QueueTicket.called_at.is_not(None))
    services = select(literal_column("'service_time'").label("metric"), service_key.label("key"),
                      service_seconds().label("seconds")).where(
        *conditions, of_service(QueueTicket.service_id, report), service_key.is_not(None),
        QueueTicket.status == QueueStatus.DONE, QueueTicket.finished_at.is_not(None),
        service_started().is_not(None))
    return union_all(waits, services).subquery("samples")


def duration_summaries(report, wait_key, service_key):
    """{group key: {"waiting_time": summary, "service_time": summary}} with count, average and p90."""
    samples = duration_samples(report, wait_key, service_key)
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


def staff_wait_key():
    """The staff member a wait belongs to: only for tickets still in the line they were issued for."""
    return case((QueueTicket.service_id == QueueTicket.issued_service_id, QueueTicket.staff_id), else_=null())


# --- hour of day --------------------------------------------------------------------------------


def local_hour(column, report):
    """SQL: the hour (0-23) of a UTC timestamp column on the organisation's clock."""
    tz = organisation_tz()
    if db.session.get_bind().dialect.name == "postgresql":
        # The column holds naive UTC: mark it as UTC, then read it on the organisation's clock.
        return cast(extract("hour", func.timezone(tz.key, func.timezone("UTC", column))), Integer)
    # SQLite has no timezone database: shift by the organisation's UTC offset at the start of
    # the range (now, for the whole history). Across a daylight-saving change inside the range,
    # the hours on the other side are one hour off.
    reference = utcnow() if report.is_whole_history else day_bounds(report.first_day, report.last_day)[0]
    minutes = int(reference.astimezone(tz).utcoffset().total_seconds() // 60)
    return cast(func.strftime("%H", column, f"{minutes:+d} minutes"), Integer)


def hourly_counts(report):
    """Tickets issued in each hour of the day: a list of 24 counts, index = local hour."""
    issued = select(local_hour(QueueTicket.issued_at, report).label("hour")).where(
        *ticket_conditions(report), of_service(QueueTicket.issued_service_id, report)).subquery("issued")
    counts = [0] * HOURS_IN_DAY
    # Grouping by the subquery's column keeps PostgreSQL from seeing two copies of the expression.
    for hour, count in db.session.execute(select(issued.c.hour, func.count()).group_by(issued.c.hour)):
        counts[int(hour)] = count
    return counts


# --- the whole dashboard ------------------------------------------------------------------------


def report_range(report):
    first, last = report.first_day, report.last_day
    return {"start": first and first.isoformat(), "end": last and last.isoformat(),
            "all_history": report.is_whole_history, "service_id": report.service_id,
            "timezone": organisation_tz().key}


def dashboard_stats(report):
    """Everything the dashboard shows, as plain JSON-ready values."""
    everyone = literal_column("0")
    overall = duration_summaries(report, everyone, everyone).get(0, empty_durations())
    by_service = duration_summaries(report, QueueTicket.issued_service_id, QueueTicket.service_id)
    by_staff = duration_summaries(report, staff_wait_key(), QueueTicket.staff_id)
    return {
        "range": report_range(report),
        "totals": totals(report) | overall,
        "services": [row | by_service.get(row["id"], empty_durations()) for row in service_counts(report)],
        "staff": [row | by_staff.get(row["id"], empty_durations()) for row in staff_counts(report)],
        "hours": hourly_counts(report),
    }
