"""The `sla_alerts` job with a moved clock: a warning when a ticket becomes due soon and an
escalation when it goes overdue, each once, to the right people, with a bell item, a mail read
back from a real SMTP server in each recipient's language, and an audit row.

The office is open Monday to Friday 08:00-13:00 and 14:00-17:00 (Mexico City). A critical
ticket filed on Monday 2025-06-02 at 08:00 is due at 17:00 and due soon from 15:24 (20 % of its
8 hours, 1 h 36 min, left).
"""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

import email_manager
from extensions import db
from models import AgentArea, AuditLog, Notification, NotificationKind, Role, Ticket, User
from services import jobs
from services.helpdesk import tickets
from services.messaging import inbox
from services.settings import save_settings
from tests.conftest import PASSWORD
from tests.support.sla import at, file_at, office_week, use_timezone

SLA_JOB = jobs.JOBS["sla_alerts"]


@pytest.fixture
def desk(app, helpdesk):
    with app.app_context():
        use_timezone("America/Mexico_City")
        office_week()
        yield helpdesk


def person(desk, role):
    return db.session.get(User, desk[role])


def run(now):
    return jobs.run_job(SLA_JOB, now)


def bells(kind):
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id))
    return [(row.user_id, row.ticket_id) for row in rows]


def audit_rows(action):
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def mails(smtp):
    email_manager.send_due()
    return smtp.inbox.by_recipient()


def text_of(message):
    return message.get_body(("plain",)).get_content()


def test_the_assignee_is_warned_once_when_the_ticket_becomes_due_soon(desk, smtp):
    person(desk, "agent").locale = "en"
    ticket = file_at(desk, at(2025, 6, 2, 8))
    assert ticket.assignee_id == desk["agent"]
    smtp.inbox.messages.clear()
    email_manager.send_due()
    smtp.inbox.messages.clear()

    assert run(at(2025, 6, 2, 15, 20)) == "warned 0, escalated 0 ticket(s)"
    assert run(at(2025, 6, 2, 15, 25)) == "warned 1, escalated 0 ticket(s)"
    assert run(at(2025, 6, 2, 15, 30)) == "warned 0, escalated 0 ticket(s)"  # once

    db.session.refresh(ticket)
    assert ticket.sla_warned_at == at(2025, 6, 2, 15, 25) and ticket.sla_escalated_at is None
    assert bells(NotificationKind.SLA_WARNING) == [(desk["agent"], ticket.id)]
    (audit,) = audit_rows("ticket.sla_warned")
    assert audit.entity_id == ticket.id and audit.actor_id is None
    assert audit.after["notified"] == ["agent1"] and audit.after["working_minutes_left"] == 95

    received = mails(smtp)
    assert list(received) == ["agent1@example.org"]
    (message,) = received["agent1@example.org"]
    assert message["Subject"] == f"[{ticket.number}] Due soon: Sin impresora"
    body = text_of(message)
    assert "1 h 35 min of working time left" in body and "Priority: Critical" in body
    assert f"/tickets/{ticket.id}" in body


def test_the_admins_and_the_assignee_hear_once_when_it_goes_overdue(desk, smtp):
    person(desk, "admin").locale = None  # the organisation's language: Spanish
    person(desk, "agent").locale = "en"
    ticket = file_at(desk, at(2025, 6, 2, 8))
    run(at(2025, 6, 2, 15, 30))
    email_manager.send_due()
    smtp.inbox.messages.clear()

    assert run(at(2025, 6, 2, 16, 59)) == "warned 0, escalated 0 ticket(s)"
    assert run(at(2025, 6, 2, 17, 1)) == "warned 0, escalated 1 ticket(s)"
    assert run(at(2025, 6, 3, 9)) == "warned 0, escalated 0 ticket(s)"  # once

    assert bells(NotificationKind.SLA_OVERDUE) == [(desk["admin"], ticket.id), (desk["agent"], ticket.id)]
    (audit,) = audit_rows("ticket.sla_escalated")
    assert audit.after["notified"] == ["admin1", "agent1"]
    received = mails(smtp)
    assert sorted(received) == ["admin1@example.org", "agent1@example.org"]
    english, spanish = text_of(received["agent1@example.org"][0]), text_of(received["admin1@example.org"][0])
    assert "Priority: Critical" in english and "The administrators have been told as well." in english
    assert "Prioridad: Critical" in spanish and "Abrir el ticket" in spanish
    assert f"El ticket {ticket.number} venció el" in spanish and "Recibe este aviso como administrador" in spanish
    assert received["agent1@example.org"][0]["Subject"] == f"[{ticket.number}] Overdue: Sin impresora"
    assert received["admin1@example.org"][0]["Subject"] == f"[{ticket.number}] Vencido: Sin impresora"


def test_the_warning_mail_agrees_with_the_time_left_in_spanish(desk, smtp):
    ticket = file_at(desk, at(2025, 6, 2, 8))  # the agent reads Spanish, the organisation's language
    smtp.inbox.messages.clear()
    email_manager.send_due()
    smtp.inbox.messages.clear()
    run(at(2025, 6, 2, 16))  # 1 h left
    (message,) = mails(smtp)["agent1@example.org"]
    assert message["Subject"] == f"[{ticket.number}] Vence pronto: Sin impresora"
    assert "queda 1 h de tiempo hábil" in text_of(message)


def test_the_bell_says_what_happened_in_the_readers_language(desk):
    ticket = file_at(desk, at(2025, 6, 2, 8))
    run(at(2025, 6, 2, 15, 30))
    run(at(2025, 6, 2, 17, 30))
    warning = db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.SLA_WARNING)).one()
    overdue = db.session.scalars(select(Notification).where(Notification.kind == NotificationKind.SLA_OVERDUE)).first()
    with force_locale("en"):
        assert inbox.text(warning) == f"{ticket.number} is due soon: Sin impresora"
        assert inbox.text(overdue) == f"{ticket.number} is overdue: Sin impresora"
    assert inbox.link(warning) == f"/tickets/{ticket.id}"


def test_an_unassigned_ticket_warns_the_available_agents_of_its_area(desk, smtp):
    admin = person(desk, "admin")
    helper = User(username="agent2", email="agent2@example.org", full_name="Agustina Peña", role=Role.AGENT,
                  locale="en")
    away = User(username="agent3", email="agent3@example.org", full_name="Íñigo Ruiz", role=Role.AGENT,
                available=False)
    for agent in (helper, away):
        agent.set_password(PASSWORD)
    db.session.add_all([helper, away])
    db.session.flush()
    db.session.add_all([AgentArea(user_id=helper.id, area_id=desk["support"]),
                        AgentArea(user_id=away.id, area_id=desk["support"])])
    db.session.commit()
    ticket = file_at(desk, at(2025, 6, 2, 8))
    tickets.assign(ticket, None, admin, now=at(2025, 6, 2, 8))
    smtp.inbox.messages.clear()

    run(at(2025, 6, 2, 15, 30))
    assert bells(NotificationKind.SLA_WARNING) == [(desk["agent"], ticket.id), (helper.id, ticket.id)]
    warning = db.session.scalars(select(Notification).where(Notification.user_id == helper.id)).one()
    with force_locale("en"):
        assert inbox.text(warning) == f"{ticket.number} is due soon and nobody has it: Sin impresora"
    received = mails(smtp)
    assert "agent3@example.org" not in received
    assert "Nobody has it yet." in text_of(received["agent2@example.org"][-1])

    run(at(2025, 6, 2, 17, 30))  # overdue and still nobody's: the admins
    assert bells(NotificationKind.SLA_OVERDUE) == [(desk["admin"], ticket.id)]


def test_a_ticket_of_an_area_without_agents_warns_the_admins(desk):
    ticket = file_at(desk, at(2025, 6, 2, 8), category="invoice")  # Facturación: nobody works there
    assert ticket.assignee_id is None
    run(at(2025, 6, 2, 15, 30))
    assert bells(NotificationKind.SLA_WARNING) == [(desk["admin"], ticket.id)]


def test_tickets_on_hold_or_closed_are_left_alone(desk):
    agent = person(desk, "agent")
    waiting, done = file_at(desk, at(2025, 6, 2, 8), title="a"), file_at(desk, at(2025, 6, 2, 8), title="b")
    tickets.change_status(waiting, "in_progress", agent, now=at(2025, 6, 2, 9))
    tickets.change_status(waiting, "on_hold", agent, now=at(2025, 6, 2, 9))
    tickets.change_status(done, "closed", agent, now=at(2025, 6, 2, 9))
    assert run(at(2025, 6, 2, 15, 30)) == "warned 0, escalated 0 ticket(s)"
    assert run(at(2025, 6, 3, 17)) == "warned 0, escalated 0 ticket(s)"


def test_a_priority_change_warns_again_for_the_new_due_time(desk):
    agent = person(desk, "agent")
    ticket = file_at(desk, at(2025, 6, 2, 8))
    run(at(2025, 6, 2, 15, 30))
    tickets.change_priority(ticket, desk["priorities"]["high"], agent, now=at(2025, 6, 2, 15, 40))  # 24 h
    assert run(at(2025, 6, 2, 15, 45)) == "warned 0, escalated 0 ticket(s)"
    # due Wednesday 17:00; 4 h 48 min before is Wednesday 11:12
    assert run(at(2025, 6, 4, 11, 15)) == "warned 1, escalated 0 ticket(s)"
    assert len(bells(NotificationKind.SLA_WARNING)) == 2


def test_long_overdue_tickets_are_not_escalated_in_a_burst(desk):
    ticket = file_at(desk, at(2025, 6, 2, 8))
    ticket.due_at = at(2025, 5, 20, 17)  # overdue for two weeks before alerts were turned on
    db.session.commit()
    assert run(at(2025, 6, 3, 9)) == "warned 0, escalated 0 ticket(s)"
    assert db.session.get(Ticket, ticket.id).sla_escalated_at is None


def test_the_warning_share_is_a_setting(desk):
    save_settings({"sla_warning_percent": 50}, None)  # half of 8 h left: from 12:00 (14-17 and 12-13)
    file_at(desk, at(2025, 6, 2, 8))
    assert run(at(2025, 6, 2, 11, 55)) == "warned 0, escalated 0 ticket(s)"
    assert run(at(2025, 6, 2, 12, 5)) == "warned 1, escalated 0 ticket(s)"


def test_the_job_runs_every_minute_on_its_own_schedule(desk):
    assert SLA_JOB.interval == timedelta(minutes=1)
    file_at(desk, at(2025, 6, 2, 8))
    results = jobs.run_due_jobs(at(2025, 6, 2, 15, 30))
    assert results["sla_alerts"] == "warned 1, escalated 0 ticket(s)"
