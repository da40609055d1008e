"""A requester's side of the conversation reaching the desk: their replies and reopenings tell the
staff working on the ticket (bell and mail, read back from a real SMTP server, in each agent's
language), a reply puts a ticket on hold back in progress, and whatever someone without an
account does is credited to them (with the tracking link they used), never to "the system":
in the timeline, the dashboard, the audit log and the bell."""
from datetime import timedelta

from sqlalchemy import select

import email_manager
from extensions import db
from models import AgentArea, AuditLog, Notification, NotificationKind, Role, Ticket, TicketStatus, User
from services.helpdesk import tickets
from services.timeutil import utcnow

# As long as the form allows (120), accents, ñ and a hyphen.
LONG_NAME = ("María José Guadalupe Fernández de la Peña y Ñúñez-Villarreal, Coordinación de Atención "
             "Ciudadana, Edificio Anexo Sur")[:120]
SHORT = "María José Guadalupe Fernández"  # what the assertions look for: the start of the name


def parts(message):
    """The text and HTML bodies, with the mail's CRLF line ends as plain newlines."""
    return tuple(message.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))


def person(ids, role):
    return db.session.get(User, ids[role])


def file_without_account(helpdesk, category="printer"):
    """Filed at /soporte by someone without an account; in Soporte it goes to agent1."""
    return tickets.file_ticket(title="La impresora del tercer piso no imprime", description="Sale la hoja en blanco.",
                               category_id=helpdesk[category], requester_name=LONG_NAME,
                               requester_email="maria.fernandez@example.org")


def on_hold(ticket, agent):
    tickets.change_status(ticket, TicketStatus.IN_PROGRESS, agent)
    tickets.add_comment(ticket, "¿Puede decirme el modelo de la impresora?", agent)
    tickets.change_status(ticket, TicketStatus.ON_HOLD, agent)


def deliver(smtp):
    """Send what is waiting, then forget it: the test reads only what comes next."""
    email_manager.send_due()
    smtp.inbox.messages.clear()


def bell(user_id):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                   .order_by(Notification.id)))


def set_locale(ids, role, locale):
    person(ids, role).locale = locale
    db.session.commit()


# --- 1. the desk hears of the requester --------------------------------------------------------


def test_a_reply_through_the_tracking_link_on_hold_reaches_the_agent_in_spanish_and_resumes_work(
        app, client, helpdesk, smtp, data):
    with data():
        set_locale(helpdesk, "agent", "es")
        ticket = file_without_account(helpdesk)
        on_hold(ticket, person(helpdesk, "agent"))
        deliver(smtp)
        token, ticket_id = ticket.tracking_token, ticket.id

    response = client.post(f"/soporte/t/{token}/reply", data={"body": "Es una HP LaserJet 400.\nSigue igual."})
    assert response.status_code == 302

    with data():
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket.status == TicketStatus.IN_PROGRESS  # was on hold: back in progress
        email_manager.send_due()
        received = smtp.inbox.by_recipient()
        assert sorted(received) == ["agent1@example.org"]  # not back to the requester
        (message,) = received["agent1@example.org"]
        text, html = parts(message)
        assert ticket.number in message["Subject"] and SHORT in message["Subject"]
        assert '<html lang="es">' in html and text.startswith("Hola, Agent Uno:")
        assert "> Es una HP LaserJet 400.\n> Sigue igual." in text and "Es una HP LaserJet 400." in html
        assert "on hold; with this reply it is back in progress" in text or "en espera" in text
        assert f"/tickets/{ticket_id}" in text and token not in text + html  # staff get the staff page

        (notification,) = [n for n in bell(helpdesk["agent"]) if n.kind == NotificationKind.REPLY]
        assert notification.actor_name == LONG_NAME and notification.read_at is None


def test_a_signed_in_requesters_reply_reaches_an_english_speaking_agent(app, client_as, helpdesk, smtp, data):
    with data():
        set_locale(helpdesk, "agent", "en")
        ticket = tickets.file_ticket(title="Sin red en la sala B", description="Desde ayer.",
                                     category_id=helpdesk["network"], requester=person(helpdesk, "user"))
        tickets.change_status(ticket, TicketStatus.IN_PROGRESS, person(helpdesk, "agent"))
        deliver(smtp)
        ticket_id = ticket.id

    requester = client_as("user")
    assert requester.post(f"/tickets/{ticket_id}/reply", data={"body": "Ya reinicié el switch."}).status_code == 302

    with data():
        assert db.session.get(Ticket, ticket_id).status == TicketStatus.IN_PROGRESS  # unchanged
        email_manager.send_due()
        (message,) = smtp.inbox.by_recipient()["agent1@example.org"]
        assert sorted(smtp.inbox.by_recipient()) == ["agent1@example.org"]
        text, html = parts(message)
        number = db.session.get(Ticket, ticket_id).number
        assert message["Subject"] == f"[{number}] User Uno replied: Sin red en la sala B"
        assert '<html lang="en">' in html and "User Uno replied on ticket" in text
        assert "> Ya reinicié el switch." in text
        assert "back in progress" not in text
        assert "because the ticket is assigned to you" in text
        (notification,) = [n for n in bell(helpdesk["agent"]) if n.kind == NotificationKind.REPLY]
        assert notification.actor_name == "User Uno"


def test_a_signed_in_requester_answering_on_hold_then_reopening_reaches_the_agent_each_time(
        app, client_as, helpdesk, smtp, data):
    """The requester signed in, not through the link: their reply resumes the ticket on hold (in
    the trail and the timeline in their own name, no tracking link), and reopening it after the
    agent closed it reaches the agent again, by bell and by mail in the agent's language."""
    with data():
        set_locale(helpdesk, "agent", "es")
        ticket = tickets.file_ticket(title="Sin red en la sala B", description="Desde ayer.",
                                     category_id=helpdesk["network"], requester=person(helpdesk, "user"))
        on_hold(ticket, person(helpdesk, "agent"))
        deliver(smtp)
        ticket_id, number = ticket.id, ticket.number

    requester = client_as("user")
    assert requester.post(f"/tickets/{ticket_id}/reply", data={"body": "Ya reinicié el switch."}).status_code == 302

    with data():
        assert db.session.get(Ticket, ticket_id).status == TicketStatus.IN_PROGRESS
        row = db.session.scalars(select(AuditLog).where(AuditLog.entity_id == ticket_id,
                                                        AuditLog.action == "ticket.status")
                                 .order_by(AuditLog.id.desc())).first()
        assert (row.actor_id, row.actor_via, row.after["reason"]) == (helpdesk["user"], None, "requester_replied")
        email_manager.send_due()
        received = smtp.inbox.by_recipient()
        assert sorted(received) == ["agent1@example.org"]
        (message,) = received["agent1@example.org"]
        text, html = parts(message)
        assert '<html lang="es">' in html and "> Ya reinicié el switch." in text
        assert message["Subject"].startswith(f"[{number}]") and "User Uno" in message["Subject"]
        smtp.inbox.messages.clear()
        tickets.change_status(db.session.get(Ticket, ticket_id), TicketStatus.CLOSED, person(helpdesk, "agent"))
        deliver(smtp)

    timeline = requester.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    timeline = timeline[timeline.index('id="conversation"'):timeline.index('id="conversation-end"')]
    assert '<span class="actor-name">User Uno</span>:' in timeline and "actor-via" not in timeline

    assert requester.post(f"/tickets/{ticket_id}/status", data={"status": "open"}).status_code == 302
    with data():
        email_manager.send_due()
        received = smtp.inbox.by_recipient()
        assert sorted(received) == ["agent1@example.org"]
        (message,) = received["agent1@example.org"]
        assert message["Subject"].startswith(f"[{number}]") and "User Uno" in message["Subject"]
        assert '<html lang="es">' in parts(message)[1]
        (notification,) = bell(helpdesk["agent"])[-1:]
        assert (notification.kind, notification.actor_name) == (NotificationKind.REOPENED, "User Uno")


def test_an_unassigned_tickets_reply_reaches_every_agent_of_its_area_and_nobody_else(app, client, helpdesk, smtp,
                                                                                     data):
    with data():
        ticket = file_without_account(helpdesk, category="invoice")  # Facturación: nobody there yet
        assert ticket.assignee_id is None
        second = User(username="agent2", email="agent2@example.org", full_name="Agente Dos", role=Role.AGENT,
                      password_hash="-", locale="en")
        db.session.add(second)
        db.session.flush()
        db.session.add_all([AgentArea(user_id=helpdesk["agent"], area_id=helpdesk["billing"]),
                            AgentArea(user_id=second.id, area_id=helpdesk["billing"])])
        db.session.commit()
        deliver(smtp)
        token, second_id = ticket.tracking_token, second.id

    assert client.post(f"/soporte/t/{token}/reply", data={"body": "¿Alguna novedad?"}).status_code == 302

    with data():
        email_manager.send_due()
        received = smtp.inbox.by_recipient()
        assert sorted(received) == ["agent1@example.org", "agent2@example.org"]  # not the admin, not the requester
        assert "because the ticket is unassigned in your area" in parts(received["agent2@example.org"][0])[0]
        assert [n.kind for n in bell(second_id)] == [NotificationKind.REPLY]
        assert bell(helpdesk["admin"]) == []


def test_reopening_through_the_tracking_link_tells_the_assignee(app, client, helpdesk, smtp, data):
    with data():
        set_locale(helpdesk, "agent", "en")
        ticket = file_without_account(helpdesk)
        tickets.change_status(ticket, TicketStatus.CLOSED, person(helpdesk, "agent"))
        deliver(smtp)
        token, number = ticket.tracking_token, ticket.number

    assert client.post(f"/soporte/t/{token}/status", data={"status": "open"}).status_code == 302

    with data():
        email_manager.send_due()
        received = smtp.inbox.by_recipient()
        assert sorted(received) == ["agent1@example.org"]
        (message,) = received["agent1@example.org"]
        text, _html = parts(message)
        assert message["Subject"].startswith(f"[{number}] Reopened by {SHORT}")
        assert f"{LONG_NAME} reopened ticket {number}" in text
        (notification,) = bell(helpdesk["agent"])[-1:]
        assert notification.kind == NotificationKind.REOPENED and notification.actor_name == LONG_NAME


def test_staff_working_the_ticket_are_not_told_of_their_own_replies(app, helpdesk, smtp, data):
    with data():
        ticket = file_without_account(helpdesk)
        deliver(smtp)
        tickets.add_comment(ticket, "Voy para allá.", person(helpdesk, "agent"))
        tickets.add_comment(ticket, "Revisar el fusor.", person(helpdesk, "agent"), internal=True)
        email_manager.send_due()
        assert sorted(smtp.inbox.by_recipient()) == ["maria.fernandez@example.org"]  # the public reply only
        assert [n.kind for n in bell(helpdesk["agent"])] == [NotificationKind.ASSIGNED]


# --- 4. someone without an account is named, never "the system" -------------------------------


def test_an_anonymous_requesters_actions_carry_their_name_and_the_tracking_link(app, client, helpdesk, data):
    with data():
        ticket = file_without_account(helpdesk)
        on_hold(ticket, person(helpdesk, "agent"))
        token, ticket_id = ticket.tracking_token, ticket.id

    client.post(f"/soporte/t/{token}/reply", data={"body": "Es una HP."})
    client.post(f"/soporte/t/{token}/status", data={"status": "closed"})
    client.post(f"/soporte/t/{token}/status", data={"status": "open"})

    with data():
        rows = list(db.session.scalars(select(AuditLog).where(
            AuditLog.entity_id == ticket_id, AuditLog.actor_id.is_(None),
            AuditLog.action.in_(["ticket.created", "ticket.reply", "ticket.status"])).order_by(AuditLog.id)))
        assert [(row.action, row.actor_name, row.actor_via) for row in rows] == [
            ("ticket.created", LONG_NAME, "form"),
            ("ticket.reply", LONG_NAME, "link"),
            ("ticket.status", LONG_NAME, "link"),  # on hold → in progress, by replying
            ("ticket.status", LONG_NAME, "link"),  # closed
            ("ticket.status", LONG_NAME, "link"),  # reopened
        ]
        assert rows[2].after["reason"] == "requester_replied"
        # the due-time clock their reply and their reopening set running again: theirs too, not the system's
        resumed = db.session.scalars(select(AuditLog).where(AuditLog.entity_id == ticket_id,
                                                            AuditLog.action == "ticket.sla_resumed")).all()
        assert [(row.actor_name, row.actor_via) for row in resumed] == [(LONG_NAME, "link")] * 2


def english_client(client_as, data, role):
    with data():
        db.session.execute(db.update(User).where(User.username == f"{role}1").values(locale="en"))
        db.session.commit()
    return client_as(role)


def test_the_timeline_dashboard_and_audit_log_name_the_person_without_an_account(app, client, client_as, helpdesk,
                                                                               data):
    with data():
        ticket = file_without_account(helpdesk)
        on_hold(ticket, person(helpdesk, "agent"))
        token, ticket_id = ticket.tracking_token, ticket.id
    client.post(f"/soporte/t/{token}/reply", data={"body": "Es una HP."})

    admin = english_client(client_as, data, "admin")
    page = admin.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    timeline = page[page.index('id="conversation"'):page.index('id="conversation-end"')]
    assert "System" not in timeline
    assert f'<span class="actor-name">{LONG_NAME}</span> <span class="actor-via' in timeline
    assert "(without an account)" in timeline and "filed the ticket" in timeline
    assert "(via the tracking link)" in timeline
    assert "status On hold → In progress (by replying)" in timeline

    tracking = client.get(f"/soporte/t/{token}").get_data(as_text=True)  # the requester, in Spanish
    timeline = tracking[tracking.index('id="conversation"'):tracking.index('id="conversation-end"')]
    assert "Sistema" not in timeline and timeline.count(f'<span class="actor-name">{LONG_NAME}</span>') == 2

    dashboard = admin.get("/tickets/dashboard").get_data(as_text=True)
    activity = dashboard[dashboard.index('id="recent-activity"'):]
    activity = activity[:activity.index("</ul>")]
    assert "System" not in activity and activity.count(LONG_NAME) >= 3  # filed, replied, changed the status
    assert "(via the tracking link)" in activity

    audit = admin.get("/admin/audit").get_data(as_text=True)
    assert audit.count(LONG_NAME) >= 3 and "(via the tracking link)" in audit and "(without an account)" in audit


def test_the_system_is_still_the_system(app, helpdesk, data):
    """The auto-close job acts for nobody: its row has no name, and reads as the system."""
    with data():
        ticket = file_without_account(helpdesk)
        tickets.add_comment(ticket, "¿Se resolvió?", person(helpdesk, "agent"))
        assert tickets.close_stale_tickets(now=utcnow() + timedelta(days=30)) == 1
        row = db.session.scalars(select(AuditLog).where(AuditLog.action == "ticket.auto_closed")).one()
        assert (row.actor_id, row.actor_name, row.actor_via) == (None, None, None)
