"""Working time: the organisation's weekly business hours minus its holidays, on its own clock.

A `WorkingCalendar` answers two questions: "when does this much working time end, counting from
here?" (`add`) and "how much working time lies between these two moments?" (`between`). The
periods are wall-clock times in the organisation's timezone; the time they hold is real elapsed
time, so a DST change inside a period makes it an hour shorter or longer, exactly as the people
working it live it.

Rules:
- No business hours at all: every hour counts (the desk as it was before hours existed).
  Holidays still do not count.
- A period lies within one day; `closes_at` 00:00 means midnight at the end of that day. A
  night shift is two periods, 22:00-00:00 and 00:00-06:00 on the next day: they join up.
- A holiday takes out the whole local day.
"""
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import g
from sqlalchemy import select

from extensions import db
from models import BusinessHours, Holiday
from services.timeutil import organisation_tz

MIDNIGHT = time(0, 0)
WHOLE_DAY = ((MIDNIGHT, MIDNIGHT),)
ONE_DAY = timedelta(days=1)
ZERO = timedelta(0)
# A calendar with hours always has working time within a week plus its holidays; this bounds a
# walk anyway, so a broken calendar fails loudly instead of looping.
LONGEST_WALK_DAYS = 366 * 50


class NoWorkingTime(RuntimeError):
    """The calendar has no working time left to count in (it cannot happen with sane rows)."""


def period_end_day(day, closes_at):
    return day + ONE_DAY if closes_at == MIDNIGHT else day


@dataclass
class WorkingCalendar:
    tz: ZoneInfo
    week: tuple = ((),) * 7  # per weekday (0 = Monday): ((opens_at, closes_at), ...)
    holidays: frozenset = frozenset()
    _days: dict = field(default_factory=dict, repr=False)  # local date -> ((utc start, utc end), ...)

    @property
    def always_open(self):
        """Every hour of every day counts: no hours set and no holidays."""
        return not any(self.week) and not self.holidays

    def periods_of(self, day):
        """The UTC (start, end) working intervals of a local date, in order."""
        if day not in self._days:
            if day in self.holidays:
                intervals = ()
            else:
                periods = self.week[day.weekday()] if any(self.week) else WHOLE_DAY
                intervals = tuple(
                    (start, end) for start, end in (
                        (datetime.combine(day, opens, self.tz).astimezone(UTC),
                         datetime.combine(period_end_day(day, closes), closes, self.tz).astimezone(UTC))
                        for opens, closes in periods)
                    if end > start)
            self._days[day] = intervals
        return self._days[day]

    def _local_day(self, moment):
        return moment.astimezone(self.tz).date()

    def _forward(self, start):
        """Working intervals from `start` on, clipped to begin no earlier than it."""
        day = self._local_day(start)
        for _ in range(LONGEST_WALK_DAYS):
            for begin, end in self.periods_of(day):
                if end > start:
                    yield max(begin, start), end
            day += ONE_DAY
        raise NoWorkingTime("no working time in the calendar")

    def _backward(self, end):
        """Working intervals before `end`, latest first, clipped to finish no later than it."""
        day = self._local_day(end)
        for _ in range(LONGEST_WALK_DAYS):
            for begin, finish in reversed(self.periods_of(day)):
                if begin < end:
                    yield begin, min(finish, end)
            day -= ONE_DAY
        raise NoWorkingTime("no working time in the calendar")

    def add(self, start, amount, latest=False):
        """The moment `amount` (a timedelta, may be negative) of working time after `start`.

        Time outside working hours does not count, so a ticket filed at night starts its clock
        at the next opening. When the amount ends exactly at a closing time, the closing time
        is the answer, or with `latest` the next opening (the last moment with that much working
        time in between: what a "due no later than" comparison needs)."""
        if self.always_open:
            return start + amount
        if amount < ZERO:
            return self._subtract(start, -amount)
        if amount == ZERO and not latest:
            return start
        remaining = amount
        for begin, end in self._forward(start):
            span = end - begin
            if remaining < span or (remaining == span and not latest):
                return begin + remaining
            remaining -= span
        raise NoWorkingTime("no working time in the calendar")  # pragma: no cover (the walk raises first)

    def _subtract(self, end, amount):
        remaining = amount
        for begin, finish in self._backward(end):
            span = finish - begin
            if remaining < span:  # equal: the previous closing time, the earliest equivalent moment
                return finish - remaining
            remaining -= span
        raise NoWorkingTime("no working time in the calendar")  # pragma: no cover

    def between(self, start, end):
        """Working time from `start` to `end`: negative when `end` comes first."""
        if end < start:
            return -self.between(end, start)
        if self.always_open:
            return end - start
        total, day, last_day = ZERO, self._local_day(start), self._local_day(end)
        while day <= last_day:
            for begin, finish in self.periods_of(day):
                overlap = min(finish, end) - max(begin, start)
                if overlap > ZERO:
                    total += overlap
            day += ONE_DAY
        return total


def build_calendar(tz, hours, holidays):
    """A calendar from (weekday, opens_at, closes_at) rows and holiday dates."""
    week = [[] for _ in range(7)]
    for weekday, opens_at, closes_at in hours:
        week[weekday].append((opens_at, closes_at))
    return WorkingCalendar(tz=tz, week=tuple(tuple(sorted(periods)) for periods in week),
                           holidays=frozenset(holidays))


def load_calendar():
    """The organisation's calendar as stored, read once per application context (a request, a
    job run): two small queries."""
    tz = organisation_tz()
    cached = g.get("working_calendar")
    if cached is None or cached.tz != tz:  # the timezone setting changed meanwhile
        hours = db.session.execute(select(BusinessHours.weekday, BusinessHours.opens_at, BusinessHours.closes_at))
        holidays = db.session.scalars(select(Holiday.day))
        g.working_calendar = cached = build_calendar(tz, list(hours), list(holidays))
    return cached


def forget_calendar():
    g.pop("working_calendar", None)

