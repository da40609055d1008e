"""The queue's rules: numbering, order, transitions, transfer, hold, estimates (service level)."""
from datetime import UTC, datetime, time, timedelta

import pytest

from extensions import db
from models import AuditLog, Counter, PriorityReason, QueueStatus, QueueTicket, Service, ServiceHours, User
from services.errors import InvalidTransition, NotAllowed, QueueEmpty, ServiceClosed
from services.queue import display
from services.queue import line as queue
from tests.support.presence import online

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 09:00 in America/Mexico_City


def at(minutes):
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def desk(app_context, queue_desk):
    ids = queue_desk
    return {
        "A": db.session.get(Service, ids["A"]),
        "B": db.session.get(Service, ids["B"]),
        "counters": [db.session.get(Counter, i) for i in ids["counters"]],
        "staff": db.session.get(User, ids["staff"]),
        "admin": db.session.get(User, ids["admin"]),
    }


def issue(desk, prefix, minute, priority=None):
    return queue.issue_ticket(desk[prefix], priority, now=at(minute))


def test_numbers_run_per_service_and_restart_each_local_day(desk):
    assert [issue(desk, "A", m).code for m in range(3)] == ["A-001", "A-002", "A-003"]
    assert issue(desk, "B", 3).code == "B-001"
    # 23:59 local is still the same day; 00:01 local the next one
    late = datetime(2026, 11, 24, 5, 59, tzinfo=UTC)
    assert queue.issue_ticket(desk["A"], now=late).code == "A-004"
    next_day = datetime(2026, 11, 24, 6, 1, tzinfo=UTC)
    ticket = queue.issue_ticket(desk["A"], now=next_day)
    assert ticket.code == "A-001" and ticket.number == 1 and str(ticket.issue_date) == "2026-11-24"


def test_spoken_code_is_a_number_not_digits(desk):
    tickets = [issue(desk, "A", 0) for _ in range(40)]
    assert tickets[-1].code == "A-040" and tickets[-1].spoken_code == "A 40"


def test_closed_service_does_not_issue(desk):
    desk["A"].hours = [ServiceHours(weekday=0, opens_at=time(10, 0), closes_at=time(14, 0))]  # Mondays
    db.session.commit()
    monday_9 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    monday_11 = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    with pytest.raises(ServiceClosed):
        queue.issue_ticket(desk["A"], now=monday_9)
    assert queue.issue_ticket(desk["A"], now=monday_11).code == "A-001"
    assert not queue.is_open(desk["A"], datetime(2026, 11, 24, 17, 0, tzinfo=UTC))  # Tuesday
    assert db.session.scalar(db.select(db.func.count()).select_from(QueueTicket)) == 1


def test_call_next_follows_counter_order_then_priority_then_arrival(desk):
    counter1, counter2 = desk["counters"][:2]
    issue(desk, "B", 0)
    issue(desk, "A", 1)
    issue(desk, "A", 2, PriorityReason.ELDERLY)
    issue(desk, "A", 3)
    staff = desk["staff"]
    assert queue.call_next(counter1, staff, now=at(10)).code == "A-002"  # priority first within A
    assert queue.call_next(counter1, staff, now=at(11)).code == "A-001"
    assert queue.call_next(counter2, staff, now=at(12)).code == "B-001"  # counter 2 prefers B
    assert queue.call_next(counter2, staff, now=at(13)).code == "A-003"
    with pytest.raises(QueueEmpty):
        queue.call_next(counter1, staff, now=at(14))


def test_call_next_finishes_what_the_counter_had_open(desk):
    counter = desk["counters"][0]
    first, second = issue(desk, "A", 0), issue(desk, "A", 1)
    queue.call_next(counter, desk["staff"], now=at(5))
    queue.start_service(first, counter, desk["staff"], now=at(6))
    queue.call_next(counter, desk["staff"], now=at(9))
    db.session.refresh(first)
    assert first.status == QueueStatus.DONE and first.finished_at == at(9)
    with pytest.raises(QueueEmpty):
        queue.call_next(counter, desk["staff"], now=at(12))
    db.session.refresh(second)
    assert second.status == QueueStatus.DONE  # finished even though nobody else was waiting


def test_every_change_is_audited_with_who_and_before_after(desk):
    counter = desk["counters"][0]
    ticket = issue(desk, "A", 0)
    queue.call_next(counter, desk["staff"], now=at(1))
    queue.start_service(ticket, counter, desk["staff"], now=at(2))
    queue.finish(ticket, counter, desk["staff"], now=at(3))
    rows = db.session.scalars(db.select(AuditLog).where(AuditLog.entity_type == "queue_ticket")
                              .order_by(AuditLog.id)).all()
    assert [r.action for r in rows] == ["queue.issued", "queue.called", "queue.serving", "queue.done"]
    assert rows[2].before["status"] == "called" and rows[2].after["status"] == "serving"
    assert rows[3].actor_id == desk["staff"].id


def test_invalid_transitions_are_refused(desk):
    counter = desk["counters"][0]
    ticket = issue(desk, "A", 0)
    with pytest.raises(InvalidTransition):
        queue.finish(ticket, counter, desk["staff"])  # still waiting
    queue.call_next(counter, desk["staff"], now=at(1))
    queue.finish(ticket, counter, desk["staff"])
    with pytest.raises(InvalidTransition):
        queue.recall(ticket, counter, desk["staff"])


def test_another_counter_cannot_touch_my_ticket(desk):
    counter1, counter2 = desk["counters"][:2]
    ticket = issue(desk, "A", 0)
    queue.call_next(counter1, desk["staff"], now=at(1))
    with pytest.raises(NotAllowed):
        queue.finish(ticket, counter2, desk["staff"])


def test_recall_keeps_the_first_call_time(desk):
    counter = desk["counters"][0]
    ticket = issue(desk, "A", 0)
    queue.call_next(counter, desk["staff"], now=at(5))
    queue.recall(ticket, counter, desk["staff"], now=at(7))
    assert ticket.called_at == at(5) and ticket.last_called_at == at(7) and ticket.recalls == 1


def test_transfer_keeps_the_place_by_arrival(desk):
    counter1, counter2 = desk["counters"][:2]
    early_a = issue(desk, "A", 0)
    issue(desk, "B", 5)
    queue.call_next(counter1, desk["staff"], now=at(10))
    queue.transfer(early_a, desk["B"], counter1, desk["staff"])
    assert early_a.status == QueueStatus.WAITING and early_a.code == "A-001"
    assert early_a.issued_at == at(0) and early_a.called_at == at(10)  # arrival and first call kept
    assert display.display_state(now=at(10))["current"] is None  # back in a line: not a call on screens
    assert queue.call_next(counter2, desk["staff"], now=at(11)).code == "A-001"  # arrived before B-001
    assert early_a.called_at == at(10) and early_a.last_called_at == at(11)


def test_a_counter_transfers_only_what_it_serves(desk):
    counter3 = desk["counters"][2]  # serves only A
    waiting_b = issue(desk, "B", 0)
    with pytest.raises(NotAllowed):
        queue.transfer(waiting_b, desk["A"], counter3, desk["staff"])


def test_calling_a_chosen_ticket_from_the_list(desk):
    counter1, counter3 = desk["counters"][0], desk["counters"][2]
    first, second, cashier = issue(desk, "A", 0), issue(desk, "A", 1), issue(desk, "B", 2)
    assert queue.call_ticket(second, counter1, desk["staff"], now=at(5)).status == QueueStatus.CALLED
    with pytest.raises(NotAllowed):
        queue.call_ticket(cashier, counter3, desk["staff"], now=at(6))  # counter 3 does not serve B
    with pytest.raises(InvalidTransition):
        queue.call_ticket(second, counter1, desk["staff"], now=at(7))  # already called
    assert [t.code for t in queue.waiting_for_counter(counter1)] == []  # other day than today
    assert first.status == QueueStatus.WAITING


def test_the_panel_list_is_in_call_next_order(app_context, desk):
    counter2 = desk["counters"][1]  # prefers B, then A
    now = queue.utcnow()
    queue.issue_ticket(desk["A"], now=now)
    queue.issue_ticket(desk["B"], now=now)
    queue.issue_ticket(desk["A"], PriorityReason.DISABILITY, now=now)
    listed = [t.code for t in queue.waiting_for_counter(counter2)]
    assert listed == ["B-001", "A-002", "A-001"]
    assert queue.call_next(counter2, desk["staff"]).code == listed[0]


def test_changing_counter_takes_open_and_parked_tickets_along(desk):
    counter1, counter3 = desk["counters"][0], desk["counters"][2]
    parked, open_one = issue(desk, "A", 0), issue(desk, "A", 1)
    queue.call_next(counter1, desk["staff"], now=at(2))
    queue.hold(parked, counter1, desk["staff"])
    queue.call_next(counter1, desk["staff"], now=at(3))
    queue.take_counter(desk["staff"], counter3)
    db.session.refresh(parked)
    db.session.refresh(open_one)
    assert parked.counter_id == counter3.id and open_one.counter_id == counter3.id
    queue.resume(parked, counter3, desk["staff"], now=at(9))
    assert parked.status == QueueStatus.CALLED


def test_hold_and_bring_back(desk):
    counter = desk["counters"][0]
    parked, other = issue(desk, "A", 0), issue(desk, "A", 1)
    queue.call_next(counter, desk["staff"], now=at(2))
    queue.hold(parked, counter, desk["staff"])
    assert queue.call_next(counter, desk["staff"], now=at(3)).code == other.code
    queue.resume(parked, counter, desk["staff"], now=at(8))
    db.session.refresh(other)
    assert parked.status == QueueStatus.CALLED and parked.last_called_at == at(8)
    assert other.status == QueueStatus.DONE  # the counter finished what it had open


def test_no_show_and_cancel(desk):
    counter = desk["counters"][0]
    gone, leaving = issue(desk, "A", 0), issue(desk, "A", 1)
    queue.call_next(counter, desk["staff"], now=at(2))
    queue.mark_no_show(gone, counter, desk["staff"])
    queue.cancel(leaving)
    assert (gone.status, leaving.status) == (QueueStatus.NO_SHOW, QueueStatus.CANCELLED)
    with pytest.raises(QueueEmpty):
        queue.call_next(counter, desk["staff"], now=at(3))


def test_status_page_numbers_people_ahead_and_estimate(desk):
    counter = desk["counters"][0]
    for minute in range(3):  # three served tickets of 4 minutes each: the recent average
        ticket = issue(desk, "A", minute)
        queue.call_next(counter, desk["staff"], now=at(10 * minute + 1))
        queue.start_service(ticket, counter, desk["staff"], now=at(10 * minute + 2))
        queue.finish(ticket, counter, desk["staff"], now=at(10 * minute + 6))
    waiting = [issue(desk, "A", 40 + m) for m in range(3)]
    vip = issue(desk, "A", 44, PriorityReason.PREGNANT)
    assert display.ticket_status(waiting[2])["estimated_wait_seconds"] is None  # nobody at a counter yet
    online(desk["staff"].id)  # staff1 opens the panel at counter 1
    status = display.ticket_status(waiting[2])
    assert status["people_ahead"] == 3  # two earlier ones and the priority one
    assert display.counters_open(desk["A"].id) == 1  # only counter 1 has staff
    assert status["estimated_wait_seconds"] == 3 * 240 and status["counters_open"] == 1
    assert "priority" not in status  # the public page does not tell why someone goes first
    assert display.ticket_status(vip)["people_ahead"] == 0


def test_display_state_and_filter(desk):
    counter1, counter2 = desk["counters"][:2]
    issue(desk, "A", 0)
    issue(desk, "B", 1)
    issue(desk, "B", 2)
    queue.call_next(counter1, desk["staff"], now=at(5))
    queue.call_next(counter2, desk["staff"], now=at(6))
    state = display.display_state(now=at(7))
    assert state["current"]["ticket"] == "B-001" and state["current"]["counter"] == "Módulo 2"
    assert [c["ticket"] for c in state["recent"]] == ["A-001"]
    assert state["waiting"] == {"A": 0, "B": 1}
    only_a = display.display_state(["A"], now=at(7))
    assert only_a["current"]["ticket"] == "A-001" and only_a["waiting"] == {"A": 0}


def test_the_day_end_settles_what_was_left_open(desk):
    counter1, counter3 = desk["counters"][0], desk["counters"][2]
    parked, serving, called, waiting = (issue(desk, "A", m) for m in range(4))
    queue.call_next(counter1, desk["staff"], now=at(5))
    queue.hold(parked, counter1, desk["staff"])
    queue.call_next(counter1, desk["staff"], now=at(6))
    queue.start_service(serving, counter1, desk["staff"], now=at(7))
    queue.call_next(counter3, desk["staff"], now=at(8))
    next_morning = at(24 * 60)
    waiting_today = queue.issue_ticket(desk["B"], now=next_morning)
    assert queue.close_past_days(now=next_morning) == 4
    for ticket in (parked, serving, called, waiting, waiting_today):
        db.session.refresh(ticket)
    assert [t.status for t in (parked, serving, called, waiting)] == [
        QueueStatus.NO_SHOW, QueueStatus.DONE, QueueStatus.NO_SHOW, QueueStatus.CANCELLED]
    assert waiting_today.status == QueueStatus.WAITING  # today's line is untouched
    assert queue.close_past_days(now=next_morning) == 0  # safe to run again
    rows = db.session.scalars(db.select(AuditLog).where(AuditLog.action == "queue.closed_at_day_end")).all()
    assert len(rows) == 4
