"""Keeping the organisation's calendar: its weekly business hours and its holidays.

The week is saved whole (an admin edits it as one table), checked first, so a refused week
changes nothing. Each change is audited. Tickets already filed keep their due time; new ones,
and due times computed again (a priority change, a ticket resuming), use the new calendar.
"""
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from extensions import db
from models import BusinessHours, Holiday
from services import audit
from services.errors import Conflict, NotFound, ValidationFailed, commit_or_conflict
from services.helpdesk.working_time import MIDNIGHT, forget_calendar

HOLIDAY_NAME_MAX = 120
DAYS = range(7)  # 0 = Monday


def weekly_hours():
    """{weekday: [(opens_at, closes_at), ...] in order} for the seven days (empty: closed)."""
    week = {day: [] for day in DAYS}
    for row in db.session.scalars(select(BusinessHours).order_by(BusinessHours.weekday, BusinessHours.opens_at)):
        week[row.weekday].append((row.opens_at, row.closes_at))
    return week


def _end(closes_at):
    """Minutes since the day began at which a period ends; 00:00 is midnight at the day's end."""
    return 24 * 60 if closes_at == MIDNIGHT else closes_at.hour * 60 + closes_at.minute


def _start(opens_at):
    return opens_at.hour * 60 + opens_at.minute


def describe_period(opens_at, closes_at):
    return f"{opens_at:%H:%M}–{'24:00' if closes_at == MIDNIGHT else f'{closes_at:%H:%M}'}"


def period_errors(week):
    """What is wrong with a week, as {(weekday, index): message}; empty when it may be saved.
    `week` maps each weekday to its periods as typed: (opens_at or None, closes_at or None)."""
    errors = {}
    for day, periods in week.items():
        kept = []
        for index, (opens_at, closes_at) in enumerate(periods):
            if opens_at is None and closes_at is None:
                continue
            if opens_at is None or closes_at is None:
                errors[(day, index)] = _l("Give both the opening and the closing time.")
            elif _end(closes_at) <= _start(opens_at):
                errors[(day, index)] = _l("It closes before it opens. A period ends by midnight (00:00); a night "
                                          "shift is two periods, before and after midnight.")
            else:
                kept.append((index, opens_at, closes_at))
        kept.sort(key=lambda period: _start(period[1]))
        latest = None  # of the periods so far, the one that ends last
        for index, opens_at, closes_at in kept:
            if latest is not None and _start(opens_at) < _end(latest[1]):
                errors[(day, index)] = _l("It overlaps %(period)s on the same day.", period=describe_period(*latest))
            if latest is None or _end(closes_at) > _end(latest[1]):
                latest = (opens_at, closes_at)
    return errors


def save_weekly_hours(week, actor):
    """Replace the weekly hours with `week` ({weekday: [(opens_at, closes_at), ...]}, blanks
    left out); no period at all means every hour counts. Returns whether anything changed."""
    errors = period_errors(week)
    if errors:
        (day, index), message = min(errors.items())
        raise ValidationFailed(message, field=f"days-{day}-periods-{index}")
    wanted = {day: sorted((p for p in week.get(day, []) if p[0] is not None), key=lambda p: _start(p[0]))
              for day in DAYS}
    before = weekly_hours()
    if _described(before) == _described(wanted):
        return False
    db.session.execute(delete(BusinessHours))
    db.session.add_all(BusinessHours(weekday=day, opens_at=opens_at, closes_at=closes_at)
                       for day, periods in wanted.items() for opens_at, closes_at in periods)
    audit.record(actor, "business_hours.updated", "business_hours", before=_described(before),
                 after=_described(wanted))
    db.session.commit()
    forget_calendar()
    return True


def _described(week):
    """The week as the audit trail keeps it: {"0": ["08:00–13:00", ...]} for the days with hours."""
    return {str(day): [describe_period(*period) for period in periods] for day, periods in week.items() if periods}


def weekly_total_minutes(week):
    return sum(_end(closes) - _start(opens) for periods in week.values() for opens, closes in periods)


# --- holidays ---------------------------------------------------------------------------------


def holidays(since=None):
    """Holidays in date order, from `since` on when given."""
    query = select(Holiday).order_by(Holiday.day)
    if since is not None:
        query = query.where(Holiday.day >= since)
    return list(db.session.scalars(query))


def past_holidays(before, limit=20):
    """The latest holidays before `before`, latest first."""
    return list(db.session.scalars(select(Holiday).where(Holiday.day < before).order_by(Holiday.day.desc())
                                   .limit(limit)))


def add_holiday(day, name, actor):
    if not isinstance(day, date):
        raise ValidationFailed(_l("Give the date."), field="day")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_l("Give the holiday a name."), field="name")
    if len(name) > HOLIDAY_NAME_MAX:
        raise ValidationFailed(_l("At most %(count)d characters.", count=HOLIDAY_NAME_MAX), field="name")
    existing = db.session.scalar(select(Holiday).where(Holiday.day == day))
    if existing is not None:
        raise Conflict(_duplicate_message(existing), field="day")
    holiday = Holiday(day=day, name=name)
    db.session.add(holiday)
    db.session.flush()
    audit.record(actor, "holiday.created", "holiday", holiday.id, after={"day": day.isoformat(), "name": name})
    # Two admins adding the same day at once: the unique date settles it.
    commit_or_conflict(_l("That date is already a holiday."), field="day")
    forget_calendar()
    return holiday


def _duplicate_message(existing):
    return _l("%(date)s is already a holiday: %(name)s.", date=format_date(existing.day, "long"), name=existing.name)


def remove_holiday(holiday_id, actor):
    holiday = db.session.get(Holiday, holiday_id)
    if holiday is None:
        raise NotFound(_l("This holiday does not exist."))
    audit.record(actor, "holiday.deleted", "holiday", holiday.id,
                 before={"day": holiday.day.isoformat(), "name": holiday.name})
    db.session.delete(holiday)
    db.session.commit()
    forget_calendar()
    return holiday

