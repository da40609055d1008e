"""Due times in working time, with a moved clock: nights, weekends, lunch breaks, holidays, DST,
night shifts, a priority change, and the clock stopped while a ticket is on hold or closed.

The office (tests/support/sla.py) is open Monday to Friday 08:00-13:00 and 14:00-17:00 in Mexico
City; a critical ticket has 8 hours to be resolved, a high one 24. June 2025 starts on a Sunday.
"""
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from extensions import db
from models import AuditLog, Ticket, TicketStatus, User
from services.helpdesk import business_hours, sla, tickets
from services.helpdesk.working_time import MIDNIGHT, build_calendar
from services.settings import save_settings
from tests.support.sla import at, file_at, local, office_week, use_timezone

HOUR = timedelta(hours=1)


@pytest.fixture
def desk(app, helpdesk):
    with app.app_context():
        use_timezone("America/Mexico_City")
        yield helpdesk


def staff(desk, role="agent"):
    return db.session.get(User, desk[role])


# --- no hours: every hour counts, as before ----------------------------------------------------


def test_without_business_hours_every_hour_counts(desk):
    ticket = file_at(desk, at(2025, 6, 7, 22))  # a Saturday night
    assert ticket.due_at == at(2025, 6, 7, 22) + 8 * HOUR


# --- nights, weekends, lunch, holidays -------------------------------------------------------------


def test_a_ticket_filed_late_on_friday_is_due_on_monday(desk):
    office_week()
    ticket = file_at(desk, at(2025, 6, 6, 16))  # Friday 16:00: one hour today, seven on Monday
    assert local(ticket.due_at) == local(at(2025, 6, 9, 16))  # 08-13, then 14-16


def test_a_ticket_filed_outside_hours_starts_its_clock_at_the_next_opening(desk):
    office_week()
    assert local(file_at(desk, at(2025, 6, 7, 10)).due_at) == local(at(2025, 6, 9, 17))  # Saturday → Monday 08:00
    assert local(file_at(desk, at(2025, 6, 3, 6)).due_at) == local(at(2025, 6, 3, 17))  # Tuesday before opening
    assert local(file_at(desk, at(2025, 6, 3, 13, 30)).due_at) == local(at(2025, 6, 4, 13))  # at lunch: 14-17, 08-13


def test_the_lunch_break_does_not_count(desk):
    office_week()
    ticket = file_at(desk, at(2025, 6, 2, 12), priority="critical")
    # 12-13 (1 h), 14-17 (3 h), Tuesday 08-12 (4 h)
    assert local(ticket.due_at) == local(at(2025, 6, 3, 12))


def test_a_holiday_in_between_is_skipped(desk):
    office_week()
    business_hours.add_holiday(date(2025, 6, 9), "Día del Ingeniero Ñandú", None)
    ticket = file_at(desk, at(2025, 6, 6, 16))  # Friday; Monday is a holiday
    assert local(ticket.due_at) == local(at(2025, 6, 10, 16))


def test_a_longer_priority_spans_several_days(desk):
    office_week()
    ticket = file_at(desk, at(2025, 6, 2, 9), priority="high")  # 24 working hours from Monday 09:00
    assert local(ticket.due_at) == local(at(2025, 6, 5, 9))  # 7 on Monday, 8 Tuesday, 8 Wednesday, 1 Thursday


def test_the_first_response_counts_working_hours_too(desk):
    office_week()
    ticket = file_at(desk, at(2025, 6, 6, 16, 30), priority="high")  # 4 hours to respond
    assert local(sla.response_due(ticket)) == local(at(2025, 6, 9, 11, 30))


# --- DST -------------------------------------------------------------------------------------------


def test_due_times_across_the_spring_dst_change_keep_the_office_clock(desk):
    use_timezone("Europe/Madrid")  # 2025-03-30 02:00 → 03:00
    office_week()
    ticket = file_at(desk, at(2025, 3, 28, 16, tz="Europe/Madrid"))  # Friday 16:00, UTC+1
    assert ticket.due_at == at(2025, 3, 31, 16, tz="Europe/Madrid")  # Monday 16:00, UTC+2
    assert ticket.due_at.hour == 14  # in UTC: an hour earlier than before the change
    assert sla.load_calendar().between(at(2025, 3, 28, 16, tz="Europe/Madrid"), ticket.due_at) == 8 * HOUR


def test_due_times_across_the_autumn_dst_change(desk):
    use_timezone("Europe/Madrid")  # 2025-10-26 03:00 → 02:00
    office_week()
    ticket = file_at(desk, at(2025, 10, 24, 16, tz="Europe/Madrid"))
    assert ticket.due_at == at(2025, 10, 27, 16, tz="Europe/Madrid") and ticket.due_at.hour == 15


def test_without_hours_a_dst_day_has_23_or_25_real_hours():
    calendar = build_calendar(ZoneInfo("Europe/Madrid"), [], [date(2025, 3, 29)])
    spring = calendar.between(at(2025, 3, 30, tz="Europe/Madrid"), at(2025, 3, 31, tz="Europe/Madrid"))
    autumn = calendar.between(at(2025, 10, 26, tz="Europe/Madrid"), at(2025, 10, 27, tz="Europe/Madrid"))
    assert (spring, autumn) == (23 * HOUR, 25 * HOUR)
    # the holiday the day before takes its whole day out of a 24/7 desk
    assert calendar.add(at(2025, 3, 28, 23, tz="Europe/Madrid"), 2 * HOUR) == at(2025, 3, 30, 1, tz="Europe/Madrid")


# --- night shifts --------------------------------------------------------------------------------


def test_a_night_shift_is_two_periods_that_join_at_midnight(desk):
    business_hours.save_weekly_hours({0: [(time(22), MIDNIGHT)], 1: [(MIDNIGHT, time(6))]}, None)
    ticket = file_at(desk, at(2025, 6, 2, 21))  # Monday 21:00: 2 h before midnight, 6 after
    assert local(ticket.due_at) == local(at(2025, 6, 3, 6))
    assert sla.load_calendar().between(at(2025, 6, 2, 23), at(2025, 6, 3, 1)) == 2 * HOUR


# --- a priority change ----------------------------------------------------------------------------


def test_a_priority_change_counts_working_time_and_starts_the_alerts_afresh(desk):
    office_week()
    ticket = file_at(desk, at(2025, 6, 2, 9), priority="high")
    ticket.sla_warned_at = ticket.sla_escalated_at = at(2025, 6, 4, 9)
    tickets.change_priority(ticket, desk["priorities"]["critical"], staff(desk), now=at(2025, 6, 2, 10))
    assert local(ticket.due_at) == local(at(2025, 6, 3, 9))  # 8 working hours from the filing
    assert ticket.sla_warned_at is None and ticket.sla_escalated_at is None


# --- the clock stops while the ticket waits -------------------------------------------------------


def test_on_hold_pauses_the_clock_and_resuming_moves_the_due_time(desk):
    office_week()
    agent = staff(desk)
    ticket = file_at(desk, at(2025, 6, 2, 9))  # due Tuesday 09:00
    assert local(ticket.due_at) == local(at(2025, 6, 3, 9))
    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 2, 9, 30))
    tickets.change_status(ticket, "on_hold", agent, now=at(2025, 6, 2, 10))  # 7 working hours left
    assert ticket.due_at is None and sla.status_of(ticket, at(2025, 6, 4, 9)).state == "paused"
    assert sla.left_when_resumed(ticket) == 7 * HOUR
    assert not ticket.is_overdue(at(2025, 6, 10))  # nobody is late while it waits

    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 4, 10))  # Wednesday 10:00
    assert local(ticket.due_at) == local(at(2025, 6, 5, 9))  # 7 h on: 10-13, 14-17, Thursday 08-09
    actions = db.session.scalars(select(AuditLog.action).where(AuditLog.entity_id == ticket.id,
                                                               AuditLog.action.like("ticket.sla_%"))).all()
    assert actions == ["ticket.sla_paused", "ticket.sla_resumed"]

    # A later priority change keeps the paused time: 24 h + the 16 h it waited, from Monday 09:00.
    tickets.change_priority(ticket, desk["priorities"]["high"], agent, now=at(2025, 6, 4, 11))
    assert local(ticket.due_at) == local(at(2025, 6, 9, 9))


def test_a_second_pause_adds_to_the_first(desk):
    office_week()
    agent = staff(desk)
    ticket = file_at(desk, at(2025, 6, 2, 9))
    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 2, 9))
    for hold, resume in [(at(2025, 6, 2, 10), at(2025, 6, 2, 11)), (at(2025, 6, 2, 15), at(2025, 6, 3, 8))]:
        tickets.change_status(ticket, "on_hold", agent, now=hold)
        tickets.change_status(ticket, "in_progress", agent, now=resume)
    # paused 1 h, then 2 h (15-17): due 3 working hours after Tuesday 09:00
    assert local(ticket.due_at) == local(at(2025, 6, 3, 12))


def test_closing_from_hold_sets_the_due_time_it_would_have_had(desk):
    office_week()
    agent = staff(desk)
    ticket = file_at(desk, at(2025, 6, 2, 9))
    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 2, 9))
    tickets.change_status(ticket, "on_hold", agent, now=at(2025, 6, 2, 10))
    tickets.change_status(ticket, "closed", agent, now=at(2025, 6, 3, 10))
    assert local(ticket.due_at) == local(at(2025, 6, 4, 9))  # paused 9 working hours


def test_a_ticket_reopened_overdue_comes_back_overdue_by_the_same_time_and_not_escalated_again(desk):
    office_week()
    agent, admin = staff(desk), staff(desk, "admin")
    ticket = file_at(desk, at(2025, 6, 2, 8))  # due Monday 17:00
    ticket.sla_escalated_at = at(2025, 6, 2, 17, 1)
    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 2, 9))
    tickets.change_status(ticket, "closed", agent, now=at(2025, 6, 3, 10))  # 2 working hours late
    tickets.change_status(ticket, "open", admin, now=at(2025, 6, 5, 10))  # reopened Thursday 10:00
    assert local(ticket.due_at) == local(at(2025, 6, 4, 17))  # paused 16 h: Wednesday 17:00
    assert sla.status_of(ticket, at(2025, 6, 5, 10)).left == -2 * HOUR
    assert ticket.sla_escalated_at is not None  # still overdue: the admins already know


def test_a_ticket_closed_on_hold_by_the_auto_close_job_comes_back_with_the_time_it_had(desk):
    """The auto-close job closes a ticket waiting on its requester without touching the due time
    (on hold it has none); reopening it counts from when it went on hold."""
    office_week()
    save_settings({"auto_close_hours": 24}, None)
    agent = staff(desk)
    ticket = file_at(desk, at(2025, 6, 2, 9), requester="user")  # critical: due Tuesday 09:00
    tickets.change_priority(ticket, desk["priorities"]["critical"], agent, now=at(2025, 6, 2, 9))
    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 2, 9))
    tickets.add_comment(ticket, "¿Sigue sin imprimir?", agent, now=at(2025, 6, 2, 10))
    tickets.change_status(ticket, "on_hold", agent, now=at(2025, 6, 2, 10))  # 7 working hours left
    assert tickets.close_stale_tickets(at(2025, 6, 3, 11)) == 1
    assert ticket.status == TicketStatus.CLOSED and ticket.due_at is None
    tickets.change_status(ticket, "open", staff(desk, "user"), now=at(2025, 6, 4, 10))  # the requester reopens
    assert local(ticket.due_at) == local(at(2025, 6, 5, 9))  # 7 h on: 10-13, 14-17, Thursday 08-09
    assert sla.status_of(ticket, at(2025, 6, 4, 10)).left == 7 * HOUR


def test_a_requesters_reply_resumes_the_clock(desk):
    office_week()
    agent = staff(desk)
    ticket = file_at(desk, at(2025, 6, 2, 9), requester="user")
    tickets.change_priority(ticket, desk["priorities"]["critical"], agent, now=at(2025, 6, 2, 9))
    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 2, 9))
    tickets.change_status(ticket, "on_hold", agent, now=at(2025, 6, 2, 10))
    tickets.add_comment(ticket, "Ya encendí la impresora.", staff(desk, "user"), now=at(2025, 6, 3, 10))
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert local(ticket.due_at) == local(at(2025, 6, 4, 9))


# --- where a ticket stands ------------------------------------------------------------------------


@pytest.mark.parametrize("moment, state, text", [
    ((2025, 6, 2, 9), "on_track", "7 h left"),
    ((2025, 6, 2, 15, 45), "soon", "Due soon: 1 h 15 min left"),  # 20 % of 8 h is 1 h 36 min
    ((2025, 6, 2, 17, 0), "soon", "Due soon: 0 min left"),
    ((2025, 6, 2, 20), "overdue", "Overdue"),  # after hours nothing more is late
    ((2025, 6, 3, 9, 5), "overdue", "Overdue by 1 h 5 min"),
])
def test_the_status_counts_working_time_left(desk, moment, state, text):
    office_week()
    ticket = file_at(desk, at(2025, 6, 2, 8))  # due Monday 17:00
    status = sla.status_of(ticket, at(*moment))
    with force_locale("en"):
        assert (status.state, status.text) == (state, text)


@pytest.mark.parametrize("left, english, spanish", [
    (HOUR, "1 h left", "Queda 1 h"),
    (HOUR + timedelta(minutes=15), "1 h 15 min left", "Queda 1 h 15 min"),
    (2 * HOUR, "2 h left", "Quedan 2 h"),
    (timedelta(minutes=1), "1 min left", "Queda 1 min"),
    (timedelta(minutes=45, seconds=59), "45 min left", "Quedan 45 min"),
    (timedelta(seconds=30), "0 min left", "Quedan 0 min"),
])
def test_the_time_left_reads_well_in_both_languages(desk, left, english, spanish):
    status = sla.SlaStatus("on_track", left)
    with force_locale("en"):
        assert status.text == english
    with force_locale("es"):
        assert status.text == spanish
        assert sla.SlaStatus("soon", left).text == "Vence pronto: " + spanish[0].lower() + spanish[1:]
        assert sla.SlaStatus("overdue", -left).text in ("Vencido", f"Vencido: {spanish.split(' ', 1)[1]} de retraso")


def test_closed_tickets_have_no_status_and_the_list_conditions_agree(desk):
    office_week()
    agent = staff(desk)
    soon, overdue, closed = (file_at(desk, at(2025, 6, 2, 8), title=title) for title in ("a", "b", "c"))
    overdue.due_at = at(2025, 6, 2, 15)
    tickets.change_status(closed, "closed", agent, now=at(2025, 6, 2, 9))
    db.session.commit()
    now = at(2025, 6, 2, 15, 30)
    assert sla.status_of(closed, now) is None
    assert db.session.scalars(select(Ticket.title).where(sla.due_soon_condition(now))).all() == ["a"]
    assert db.session.scalars(select(Ticket.title).where(sla.overdue_condition(now))).all() == ["b"]


def test_a_due_time_at_closing_and_one_at_the_next_opening_are_equally_soon(desk):
    office_week()
    friday_close, monday_open = file_at(desk, at(2025, 6, 2, 8)), file_at(desk, at(2025, 6, 2, 8))
    friday_close.due_at, monday_open.due_at = at(2025, 6, 6, 17), at(2025, 6, 9, 8)
    db.session.commit()
    now = at(2025, 6, 6, 15, 24)  # exactly 1 h 36 min of working time before both
    assert {t.id for t in db.session.scalars(select(Ticket).where(sla.due_soon_condition(now)))} == {
        friday_close.id, monday_open.id}


def test_a_priority_change_on_hold_counts_when_work_resumes(desk):
    office_week()
    agent = staff(desk)
    ticket = file_at(desk, at(2025, 6, 2, 9), priority="high")  # 24 h
    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 2, 9))
    tickets.change_status(ticket, "on_hold", agent, now=at(2025, 6, 2, 10))
    tickets.change_priority(ticket, desk["priorities"]["critical"], agent, now=at(2025, 6, 2, 11))  # 8 h
    assert ticket.due_at is None and sla.left_when_resumed(ticket) == 7 * HOUR
    tickets.change_status(ticket, "in_progress", agent, now=at(2025, 6, 4, 10))
    assert local(ticket.due_at) == local(at(2025, 6, 5, 9))


def test_working_time_goes_backwards_too(desk):
    office_week()
    calendar = sla.load_calendar()
    assert local(calendar.add(at(2025, 6, 9, 9), -2 * HOUR)) == local(at(2025, 6, 6, 16))  # Monday → Friday
    assert local(calendar.add(at(2025, 6, 3, 10), -2 * HOUR)) == local(at(2025, 6, 2, 17))  # the earlier closing
