"""On PostgreSQL with real threads: numbers unique and gap-free, no ticket called twice."""
from collections import Counter as Tally

import pytest
from sqlalchemy import select

from extensions import db
from models import AuditLog, Counter, CounterService, QueueStatus, QueueTicket, Role, Service, User
from services.errors import CounterMovedOn, DomainError, QueueEmpty
from services.queue import line as queue
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.postgres


def make_desk(counters):
    service = Service(name="General", prefix="A")
    db.session.add(service)
    staff_ids, counter_ids = [], []
    for number in range(1, counters + 1):
        counter = Counter(name=f"Módulo {number}", position=number,
                          service_links=[CounterService(service=service, position=0)])
        staff = User(username=f"staff{number}", role=Role.STAFF, password_hash="-", counter=counter)
        db.session.add_all([counter, staff])
        db.session.flush()
        staff_ids.append(staff.id)
        counter_ids.append(counter.id)
    db.session.commit()
    return service.id, list(zip(counter_ids, staff_ids, strict=True))


def test_concurrent_kiosks_get_unique_gap_free_numbers(pg_clean):
    with pg_clean.app_context():
        service_id, _ = make_desk(1)

    def issue_many(_index):
        service = db.session.get(Service, service_id)
        return [queue.issue_ticket(service).number for _ in range(25)]

    numbers = [n for batch in run_in_threads(pg_clean, 16, issue_many) for n in batch]
    assert sorted(numbers) == list(range(1, 401))
    with pg_clean.app_context():
        codes = db.session.scalars(select(QueueTicket.code)).all()
        assert len(set(codes)) == 400


def test_eight_counters_calling_at_once_never_share_or_skip_a_ticket(pg_clean):
    with pg_clean.app_context():
        service_id, desks = make_desk(8)
        service = db.session.get(Service, service_id)
        issued = [queue.issue_ticket(service).code for _ in range(240)]

    def call_until_empty(index):
        counter_id, staff_id = desks[index]
        counter, staff = db.session.get(Counter, counter_id), db.session.get(User, staff_id)
        called = []
        while True:
            try:
                called.append(queue.call_next(counter, staff).code)
            except QueueEmpty:
                return called
            except DomainError as error:
                raise AssertionError(error) from error

    per_counter = run_in_threads(pg_clean, 8, call_until_empty)
    everything = [code for codes in per_counter for code in codes]
    assert Tally(everything).most_common(1)[0][1] == 1, "a ticket was called twice"
    assert sorted(everything) == sorted(issued), "a ticket was skipped"
    assert sum(1 for codes in per_counter if codes) > 1, "the counters did not run side by side"
    with pg_clean.app_context():
        calls = db.session.scalar(select(db.func.count()).select_from(AuditLog)
                                  .where(AuditLog.action == "queue.called"))
        assert calls == 240


def test_a_double_press_at_one_counter_calls_one_ticket(pg_clean):
    with pg_clean.app_context():
        service_id, desks = make_desk(1)
        service = db.session.get(Service, service_id)
        for _ in range(40):
            queue.issue_ticket(service)
    counter_id, staff_id = desks[0]

    def press(_index):
        return queue.call_next(db.session.get(Counter, counter_id), db.session.get(User, staff_id)).code

    for _ in range(10):
        run_in_threads(pg_clean, 2, press)
        with pg_clean.app_context():
            open_here = db.session.scalar(
                select(db.func.count()).select_from(QueueTicket)
                .where(QueueTicket.counter_id == counter_id, QueueTicket.status.in_(queue.OPEN)))
            assert open_here == 1, "two numbers were open at one counter"


def test_ten_call_next_at_once_from_one_counter_call_one_person(pg_clean):
    """Two tabs, a double tap, a client's retry: every request says what the panel showed (the
    ticket at the counter); the first one finishes it and calls the next, the others find the
    counter moved on and change nothing. Nobody is finished unseen, nobody is skipped."""
    with pg_clean.app_context():
        service_id, desks = make_desk(1)
        counter_id, staff_id = desks[0]
        service = db.session.get(Service, service_id)
        issued = [queue.issue_ticket(service).code for _ in range(6)]
        counter, staff = db.session.get(Counter, counter_id), db.session.get(User, staff_id)
        shown = queue.call_next(counter, staff, finishing=[]).id  # what every tab shows now

    def press_call_next(_index):
        counter, staff = db.session.get(Counter, counter_id), db.session.get(User, staff_id)
        try:
            return queue.call_next(counter, staff, finishing=[shown]).code
        except CounterMovedOn:
            return None

    results = run_in_threads(pg_clean, 10, press_call_next)
    assert [code for code in results if code] == [issued[1]]
    with pg_clean.app_context():
        statuses = dict(db.session.execute(select(QueueTicket.code, QueueTicket.status)).all())
        assert statuses[issued[0]] == QueueStatus.DONE and statuses[issued[1]] == QueueStatus.CALLED
        assert all(statuses[code] == QueueStatus.WAITING for code in issued[2:])
        calls = db.session.scalars(select(AuditLog.entity_id).where(AuditLog.action == "queue.called")).all()
        assert len(calls) == 2  # the first call and the one the ten presses made
