"""A walk-in queue history over several days with a transfer, for the dashboard and export tests.

Organisation clock: America/Mexico_City. Two services with long Spanish names and three-letter
prefixes; the day's numbers of TRC start at 1234 (four digits, as in a busy office):

  2024-05-03  CAJ-001  served at "Módulo 2" by Beto Dos: issued 10:00, called 10:02, finished 10:05.
  2024-05-05  TRC-001  served at "Módulo 1" by María José: issued 11:00, called 11:01, finished 11:03.
  2024-05-06  TRC-1234 (older adult) issued 09:00, called 09:05 at "Módulo 1" by María José, who
                       transfers it to Caja y Pagos; called 09:10 at "Módulo 2" by Beto Dos,
                       finished 09:14: waited 300 s (in TRC's line), served 240 s (at CAJ).
              TRC-1235 issued 09:20, called 09:25 by María José, no-show at 09:27.
              CAJ-001  issued 09:30, still waiting.
"""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from extensions import db
from models import Counter, CounterService, QueueSequence, Role, Service, Setting, User
from services.queue import line as queue

TZ = ZoneInfo("America/Mexico_City")
DAY = date(2024, 5, 6)
PROCEDURES = "Trámites y Certificación Ciudadana"
CASHIER = "Caja y Pagos"
MARIA = "María José Hernández Núñez"
BETO = "Beto Dos"


def at(hour, minute=0, day=DAY):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def add_staff(username, full_name, counter):
    user = User(username=username, full_name=full_name, role=Role.STAFF, counter=counter)
    user.set_password("password123")
    db.session.add(user)
    return user


def serve(service, counter, staff, issued, called, finished):
    ticket = queue.issue_ticket(service, now=issued)
    assert queue.call_next(counter, staff, now=called).id == ticket.id
    queue.finish(ticket, counter, staff, now=finished)
    return ticket


def build_queue_history():
    """The history described at the top of this file. Call inside an app context; returns ids."""
    db.session.add(Setting(key="timezone", value="America/Mexico_City"))
    procedures = Service(name=PROCEDURES, prefix="TRC", color="#6f42c1", position=0)
    cashier = Service(name=CASHIER, prefix="CAJ", color="#198754", position=1)
    desk_1 = Counter(name="Módulo 1", service_links=[CounterService(service=procedures)])
    desk_2 = Counter(name="Módulo 2", service_links=[CounterService(service=cashier)])
    db.session.add_all([procedures, cashier, desk_1, desk_2])
    maria, beto = add_staff("maria", MARIA, desk_1), add_staff("beto", BETO, desk_2)
    db.session.flush()
    db.session.add(QueueSequence(service_id=procedures.id, day=DAY, last_number=1233))
    db.session.commit()

    serve(cashier, desk_2, beto, at(10, day=date(2024, 5, 3)), at(10, 2, day=date(2024, 5, 3)),
          at(10, 5, day=date(2024, 5, 3)))
    serve(procedures, desk_1, maria, at(11, day=date(2024, 5, 5)), at(11, 1, day=date(2024, 5, 5)),
          at(11, 3, day=date(2024, 5, 5)))

    transferred = queue.issue_ticket(procedures, "elderly", now=at(9))
    assert transferred.code == "TRC-1234"
    queue.call_next(desk_1, maria, now=at(9, 5))
    queue.transfer(transferred, cashier, desk_1, maria)
    assert queue.call_next(desk_2, beto, now=at(9, 10)).id == transferred.id
    queue.finish(transferred, desk_2, beto, now=at(9, 14))

    absent = queue.issue_ticket(procedures, now=at(9, 20))
    queue.call_next(desk_1, maria, now=at(9, 25))
    queue.mark_no_show(absent, desk_1, maria, now=at(9, 27))
    queue.issue_ticket(cashier, now=at(9, 30))
    return {"TRC": procedures.id, "CAJ": cashier.id, "maria": maria.id, "beto": beto.id,
            "desk_1": desk_1.id, "desk_2": desk_2.id}


def issue_more(service_id, count, day=DAY - timedelta(days=10)):
    """`count` more waiting tickets of a service on an earlier day (a longer history)."""
    service = db.session.get(Service, service_id)
    for minute in range(count):
        queue.issue_ticket(service, now=at(8, minute % 60, day=day))
