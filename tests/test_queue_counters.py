"""A counter in a real office: "call next" that never finishes someone unseen, breaks and closing
with a reason that screens show, estimates that count only counters really calling, and named
screens."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

import events
from extensions import db
from models import AuditLog, Counter, CounterState, QueueStatus, Service, User
from services.errors import Conflict, CounterMovedOn, ValidationFailed
from services.queue import display
from services.queue import line as queue
from services.queue import setup
from tests.support.presence import online

T0 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 09:00 in America/Mexico_City


def at(seconds):
    return T0 + timedelta(seconds=seconds)


@pytest.fixture
def desk(app_context, queue_desk):
    """Services A and B; counter 1 calls A then B, counter 2 B then A, counter 3 only A; staff1 at 1."""
    return {"A": db.session.get(Service, queue_desk["A"]), "B": db.session.get(Service, queue_desk["B"]),
            "counters": [db.session.get(Counter, i) for i in queue_desk["counters"]],
            "staff": db.session.get(User, queue_desk["staff"]), "admin": db.session.get(User, queue_desk["admin"])}


def issue(desk, prefix, seconds=0):
    return queue.issue_ticket(desk[prefix], now=at(seconds))


# --- call next says what it finishes ------------------------------------------------------------


def test_call_next_finishes_what_the_panel_showed_and_nothing_else(desk):
    counter, staff = desk["counters"][0], desk["staff"]
    first, second, third = issue(desk, "A"), issue(desk, "A", 1), issue(desk, "A", 2)
    assert queue.call_next(counter, staff, finishing=[], now=at(10)).code == first.code
    # A second tab still shows an empty counter: its press changes nothing.
    with pytest.raises(CounterMovedOn):
        queue.call_next(counter, staff, finishing=[], now=at(11))
    db.session.expire_all()
    assert (first.status, second.status) == (QueueStatus.CALLED, QueueStatus.WAITING)
    # The tab that shows A-001 finishes it and calls A-002.
    assert queue.call_next(counter, staff, finishing=[first.id], now=at(20)).code == second.code
    db.session.expire_all()
    assert (first.status, second.status, third.status) == (QueueStatus.DONE, QueueStatus.CALLED, QueueStatus.WAITING)


def test_a_caller_that_cannot_say_is_refused_a_repeat_within_a_second(desk):
    counter, staff = desk["counters"][0], desk["staff"]
    first, second = issue(desk, "A"), issue(desk, "A", 1)
    queue.call_next(counter, staff, refuse_repeats=True, now=at(10))
    with pytest.raises(CounterMovedOn):
        queue.call_next(counter, staff, refuse_repeats=True, now=at(10.5))
    db.session.expire_all()
    assert (first.status, second.status) == (QueueStatus.CALLED, QueueStatus.WAITING)
    assert queue.call_next(counter, staff, refuse_repeats=True, now=at(12)).code == second.code


# --- breaks and closing -------------------------------------------------------------------------


def test_a_break_with_a_reason_is_audited_announced_and_ends_with_the_next_call(desk):
    counter, staff = desk["counters"][0], desk["staff"]
    heard = []
    events.counter_state_changed.connect(heard.append, weak=False)
    try:
        queue.set_counter_state(counter, staff, "break", "  Almuerzo   corto ", now=at(0))
        assert (counter.state, counter.state_reason) == (CounterState.BREAK, "Almuerzo corto")
        issue(desk, "A", 5)
        queue.call_next(counter, staff, finishing=[], now=at(10))  # calling is working again
        assert (counter.state, counter.state_reason) == (CounterState.OPEN, "")
    finally:
        events.counter_state_changed.disconnect(heard.append)
    assert heard == [counter, counter]
    changes = db.session.scalars(select(AuditLog.after).where(AuditLog.action == "counter.state_changed")).all()
    assert changes == [{"state": "break", "reason": "Almuerzo corto"}, {"state": "open", "reason": ""}]


def test_a_counter_with_someone_called_cannot_pause_and_reasons_are_bounded(desk):
    counter, staff = desk["counters"][0], desk["staff"]
    issue(desk, "A")
    queue.call_next(counter, staff, finishing=[], now=at(10))
    with pytest.raises(Conflict, match="A-001"):
        queue.set_counter_state(counter, staff, "closed")
    with pytest.raises(ValidationFailed):
        queue.set_counter_state(desk["counters"][1], staff, "break", "x" * 81)
    with pytest.raises(ValidationFailed):
        queue.set_counter_state(desk["counters"][1], staff, "asleep")


# --- estimates count counters really calling ------------------------------------------------------


def put_staff(desk, counter_index, username):
    person = User(username=username, role=desk["staff"].role, password_hash="-",
                  counter=desk["counters"][counter_index])
    db.session.add(person)
    db.session.commit()
    return person


def test_only_open_counters_with_someone_signed_in_count_in_order_of_their_services(desk):
    counter1, counter2, counter3 = desk["counters"]
    second, third = put_staff(desk, 1, "staff2"), put_staff(desk, 2, "staff3")
    assert display.counters_open(desk["A"].id) == 0  # staff1 assigned but not signed in
    for person in (desk["staff"], second, third):
        online(person.id)
    queue.issue_ticket(desk["B"])  # today: counter 2 calls B first, and while B has someone waiting it takes no A
    assert display.counters_open(desk["A"].id) == 2  # counters 1 and 3
    assert display.counters_open(desk["B"].id) == 2  # counter 2 (B first), counter 1 (nobody in A)
    queue.set_counter_state(counter3, third, "break", "Café")
    assert display.counters_open(desk["A"].id) == 1


def test_screens_know_the_counters_states(desk):
    queue.set_counter_state(desk["counters"][1], desk["staff"], "closed", "Cerrado por hoy")
    counters = {c["name"]: c for c in display.display_state()["counters"]}
    closed = counters["Módulo 2"]
    assert (closed["state"], closed["reason"], closed["services"]) == ("closed", "Cerrado por hoy", ["B", "A"])
    assert counters["Módulo 1"]["state"] == "open" and counters["Módulo 1"]["reason"] == ""
    only_a = {c["name"] for c in display.display_state(["A"])["counters"]}
    assert only_a == {"Módulo 1", "Módulo 2", "Módulo 3"}


def test_a_called_ticket_transferred_to_another_line_is_withdrawn_from_the_screens(desk):
    counter, staff = desk["counters"][0], desk["staff"]
    ticket = issue(desk, "A")
    queue.call_next(counter, staff, finishing=[], now=at(10))
    heard = []
    events.queue_ticket_withdrawn.connect(heard.append, weak=False)
    try:
        queue.transfer(ticket, desk["B"], counter, staff)
    finally:
        events.queue_ticket_withdrawn.disconnect(heard.append)
    assert heard == [ticket]


# --- set-up ---------------------------------------------------------------------------------------


def test_a_counter_must_call_at_least_one_service(desk):
    with pytest.raises(ValidationFailed) as refused:
        setup.save_counter(None, desk["admin"], "Ventanilla Preferente de Atención 12", 1, True, [])
    assert refused.value.field == "services"


def test_named_screens_keep_their_services_language_and_address(desk):
    screen = setup.save_screen(None, desk["admin"], "Sala de espera, planta baja", "sala-pb", [desk["B"].id], "en",
                               4, "  Bienvenidos  a la Municipalidad ")
    assert setup.active_screen("sala-pb") is screen and setup.screen_prefixes(screen) == ["B"]
    assert (screen.locale, screen.recent_count, screen.ticker) == ("en", 4, "Bienvenidos a la Municipalidad")
    for slug in ("Sala PB", "sala_pb", "-sala", "sala--pb", "ñandú"):
        with pytest.raises(ValidationFailed):
            setup.save_screen(None, desk["admin"], "Otra", slug, [])
    with pytest.raises(Conflict):
        setup.save_screen(None, desk["admin"], "Otra", "sala-pb", [])
    every = setup.save_screen(None, desk["admin"], "Hall", "hall", [])
    assert setup.screen_prefixes(every) == []  # no service chosen: all of them
    setup.save_screen(screen, desk["admin"], screen.name, screen.slug, [desk["B"].id], active=False)
    assert setup.active_screen("sala-pb") is None
