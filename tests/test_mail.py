"""Mail: what each ticket change sends, read back from a real SMTP server the test starts, and
the outbox that keeps mail safe when the server is down."""
import io
import socket
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from jinja2.ext import babel_extract
from sqlalchemy import func, select

import email_manager
from extensions import db
from models import OutboxMessage, OutboxStatus, Ticket, TicketStatus, User
from services.helpdesk import tickets
from services.settings import save_settings
from services.timeutil import utcnow
from tests.conftest import free_port
from tests.support.i18n import source_msgids
from tests.support.mail import Inbox, SMTPServer, point_mail_at

EMAIL_TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "email"


def parts(message):
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def outbox(status=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(db.session.scalars(query))


def user(ids, role):
    return db.session.get(User, ids[role])


def file_ticket(helpdesk, category="printer", **values):
    values.setdefault("requester", db.session.get(User, helpdesk["user"]))
    return tickets.file_ticket(title="La impresora no imprime — sin tóner", description="Sale la hoja en blanco.",
                               category_id=helpdesk[category], **values)


# --- the six mails --------------------------------------------------------------------------


def test_filing_tells_the_requester_the_admins_and_the_assigned_agent(app, helpdesk, smtp):
    with app.app_context():
        ticket = file_ticket(helpdesk)
        assert ticket.assignee_id == helpdesk["agent"]
        assert email_manager.send_due() == (3, 0)
        received = smtp.inbox.by_recipient()
        assert sorted(received) == ["admin1@example.org", "agent1@example.org", "user1@example.org"]
        assert all(len(messages) == 1 for messages in received.values())
        link = f"/tickets/{ticket.id}"

        filed, = received["user1@example.org"]
        text, html = parts(filed)
        assert ticket.number in filed["Subject"] and filed["From"].addresses[0].addr_spec == "soporte@example.org"
        assert ticket.number in text and "La impresora no imprime — sin tóner" in text and link in text
        assert ticket.number in html and f'href="http://127.0.0.1:5000{link}"' in html

        for address in ("admin1@example.org", "agent1@example.org"):
            message, = received[address]
            text, html = parts(message)
            assert ticket.number in message["Subject"] and "La impresora no imprime — sin tóner" in message["Subject"]
            assert "Sale la hoja en blanco." in text and link in text and link in html
        assert "Agent Uno" in parts(received["agent1@example.org"][0])[0]
        assert all(row.status == OutboxStatus.SENT and row.sent_at and row.attempts == 1 for row in outbox())


def test_someone_without_an_account_gets_the_tracking_link(app, helpdesk, smtp):
    with app.app_context():
        ticket = file_ticket(helpdesk, category="invoice", requester=None, requester_name="Ana Pérez",
                             requester_email="ana@example.org")
        email_manager.send_due()
        received = smtp.inbox.by_recipient()
        assert sorted(received) == ["admin1@example.org", "ana@example.org"]  # nobody works in Facturación
        text, html = parts(received["ana@example.org"][0])
        assert f"/soporte/t/{ticket.tracking_token}" in text and f"/soporte/t/{ticket.tracking_token}" in html
        assert "Ana Pérez" in text
        admin_text, _ = parts(received["admin1@example.org"][0])
        assert "Ana Pérez" in admin_text and f"/tickets/{ticket.id}" in admin_text
        assert ticket.tracking_token not in admin_text


def test_a_public_reply_reaches_the_requester_escaped_in_html(app, helpdesk, smtp):
    with app.app_context():
        ticket = file_ticket(helpdesk)
        email_manager.send_due()
        smtp.inbox.messages.clear()
        agent = user(helpdesk, "agent")
        tickets.add_comment(ticket, "Internal: check the toner first", agent, internal=True)
        tickets.add_comment(ticket, 'Try this: <script>alert("x")</script> & restart\nSecond line', agent)
        email_manager.send_due()

        (recipients, message), = smtp.inbox.messages  # the internal note sent nothing
        assert recipients == ["user1@example.org"] and ticket.number in message["Subject"]
        text, html = parts(message)
        assert 'Try this: <script>alert("x")</script> & restart' in text and "> Second line" in text
        assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; restart" in html
        assert "Agent Uno" in text and f"/tickets/{ticket.id}" in html
        assert "toner" not in text + html


def test_a_status_change_tells_the_requester_old_and_new_status(app, helpdesk, smtp):
    with app.app_context():
        user(helpdesk, "user").locale = "en"
        ticket = file_ticket(helpdesk)
        tickets.change_status(ticket, TicketStatus.IN_PROGRESS, user(helpdesk, "agent"))
        email_manager.send_due()
        filed, message = smtp.inbox.by_recipient()["user1@example.org"]
        assert ticket.number in message["Subject"] and "In progress" in message["Subject"]
        text, html = parts(message)
        assert "from Open to In progress" in text and "from Open to In progress" in html


def test_closing_tells_the_requester(app, helpdesk, smtp):
    with app.app_context():
        ticket = file_ticket(helpdesk)
        email_manager.send_due()
        smtp.inbox.messages.clear()
        tickets.change_status(ticket, TicketStatus.CLOSED, user(helpdesk, "agent"))
        email_manager.send_due()
        (recipients, message), = smtp.inbox.messages
        text, html = parts(message)
        assert recipients == ["user1@example.org"] and ticket.number in message["Subject"]
        assert "fue cerrado" in text and "automáticamente" not in text and f"/tickets/{ticket.id}" in html


def test_an_assignment_tells_the_agent_but_taking_a_ticket_oneself_does_not(app, helpdesk, smtp):
    with app.app_context():
        ticket = file_ticket(helpdesk, category="invoice")  # Facturación: nobody available, unassigned
        assert ticket.assignee_id is None
        email_manager.send_due()
        admin_text, _ = parts(smtp.inbox.by_recipient()["admin1@example.org"][0])
        assert "No hay ningún agente disponible" in admin_text
        smtp.inbox.messages.clear()

        tickets.assign(ticket, helpdesk["agent"], user(helpdesk, "admin"))
        email_manager.send_due()
        (recipients, message), = smtp.inbox.messages
        text, html = parts(message)
        assert recipients == ["agent1@example.org"] and ticket.number in message["Subject"]
        assert "Se le asignó el ticket" in text and f"/tickets/{ticket.id}" in html

        other = file_ticket(helpdesk, category="network")  # Soporte: goes to agent1 by itself
        tickets.assign(other, None, user(helpdesk, "admin"))
        email_manager.send_due()
        smtp.inbox.messages.clear()
        tickets.assign(other, helpdesk["agent"], user(helpdesk, "agent"))
        assert email_manager.send_due() == (0, 0) and smtp.inbox.messages == []


def test_each_mail_is_written_in_its_recipients_language(app, helpdesk, smtp):
    with app.app_context():
        user(helpdesk, "user").locale = "en"
        user(helpdesk, "admin").locale = None  # the organisation's default: Spanish
        db.session.commit()
        file_ticket(helpdesk)
        email_manager.send_due()
        received = smtp.inbox.by_recipient()
        _, english = parts(received["user1@example.org"][0])
        _, spanish = parts(received["admin1@example.org"][0])
        assert '<html lang="en">' in english and '<html lang="es">' in spanish
        save_settings({"default_locale": "en"}, None)
        file_ticket(helpdesk)
        email_manager.send_due()
        assert '<html lang="en">' in parts(smtp.inbox.by_recipient()["admin1@example.org"][1])[1]


def test_every_sentence_of_the_mails_reaches_the_translation_catalog():
    """Catalog extraction (babel.cfg) reads the .html templates; the .txt ones must say nothing else."""
    found = set()
    for path in EMAIL_TEMPLATES.glob("*.*"):
        for _, _, message, _ in babel_extract(io.BytesIO(path.read_bytes()), ["_", "gettext", "ngettext"], [], {}):
            found.add(message if isinstance(message, str) else message[0])
    assert len(found) > 20
    assert found <= set(source_msgids()), f"not extracted: {sorted(found - set(source_msgids()))}"


# --- the outbox -------------------------------------------------------------------------------


def test_mail_is_stored_with_the_change_or_not_at_all(app, helpdesk, monkeypatch):
    with app.app_context():
        ticket = file_ticket(helpdesk)
        assert len(outbox()) == 3
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()

        def database_fails():
            raise RuntimeError("the database went away")

        with monkeypatch.context() as patch:
            patch.setattr(db.session, "commit", database_fails)
            with pytest.raises(RuntimeError):
                tickets.change_status(ticket, TicketStatus.IN_PROGRESS, user(helpdesk, "agent"))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
        assert db.session.get(Ticket, ticket.id, populate_existing=True).status == TicketStatus.OPEN

        tickets.change_status(ticket, TicketStatus.IN_PROGRESS, user(helpdesk, "agent"))
        assert [row.recipient for row in outbox()] == ["user1@example.org"]


class SilentServer:
    """Accepts TCP connections and never answers: a hung SMTP server. Counts the connections."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.sock.close()
        for connection in self.connections:
            connection.close()


def test_a_hung_smtp_server_never_reaches_a_web_request(app, helpdesk, client_as, monkeypatch):
    server = SilentServer()
    try:
        with app.app_context():
            point_mail_at(server.port)
        client = client_as("user")
        response = client.post("/tickets/new", data={"title": "No hay red", "description": "Desde las 9.",
                                                     "category_id": helpdesk["network"], "location_id": 0})
        assert response.status_code == 302
        with app.app_context():
            assert len(outbox(OutboxStatus.PENDING)) == 3 and all(row.attempts == 0 for row in outbox())
        assert server.connections == []  # the request never opened an SMTP connection

        monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 0.5)
        with app.app_context():
            now = utcnow()
            assert email_manager.send_due(now) == (0, 3)
            rows = outbox()
            assert len(server.connections) == 1
            assert all(row.status == OutboxStatus.PENDING and row.attempts == 1 for row in rows)
            assert all("timed out" in row.last_error for row in rows)
            assert all(row.next_attempt_at == now + timedelta(minutes=1) for row in rows)
    finally:
        server.close()


def test_with_nothing_listening_failures_are_recorded_with_growing_delays(app, helpdesk):
    with app.app_context():
        point_mail_at(free_port())
        file_ticket(helpdesk, category="invoice")  # requester and admin
        now = utcnow()
        for attempt, delay in enumerate([1, 2, 4, 8], start=1):
            assert email_manager.send_due(now) == (0, 2)
            assert email_manager.send_due(now) == (0, 0)  # nothing due until the delay is over
            for row in outbox():
                assert row.attempts == attempt and row.status == OutboxStatus.PENDING
                assert "Connection refused" in row.last_error or "ConnectionRefused" in row.last_error
                assert row.next_attempt_at == now + timedelta(minutes=delay)
            now += timedelta(minutes=delay)
        assert email_manager.retry_delay(30) == email_manager.RETRY_LONGEST


def test_without_a_mail_server_messages_wait(app, helpdesk):
    with app.app_context():
        file_ticket(helpdesk)
        assert email_manager.send_due() == (0, 0)
        assert email_manager.send_due() == (0, 0)
        assert all(row.status == OutboxStatus.PENDING and row.attempts == 0 and row.last_error is None
                   for row in outbox())


def test_an_smtp_outage_loses_no_message_and_repeats_none(app, helpdesk, smtp):
    with app.app_context():
        requester, agent, admin = user(helpdesk, "user"), user(helpdesk, "agent"), user(helpdesk, "admin")
        first = file_ticket(helpdesk)
        assert email_manager.send_due() == (3, 0)

        smtp.stop()
        second = file_ticket(helpdesk, category="invoice")
        tickets.add_comment(first, "¿Sigue fallando?", agent)
        tickets.change_status(first, TicketStatus.IN_PROGRESS, agent)
        tickets.assign(second, helpdesk["agent"], admin)
        tickets.add_comment(first, "Sí, sigue igual.", requester)  # to the agent, not back to the requester
        tickets.change_status(first, TicketStatus.CLOSED, agent)
        waiting = len(outbox(OutboxStatus.PENDING))
        assert waiting == 7  # 2 for the new ticket, reply, status, assignment, the requester's reply, closing

        now = utcnow()
        assert email_manager.send_due(now) == (0, waiting)
        assert all(row.attempts == 1 and row.last_error for row in outbox(OutboxStatus.PENDING))

        smtp.start()  # the same port again
        assert email_manager.send_due(now) == (0, 0)  # still waiting out the delay
        for _ in range(10):
            if not outbox(OutboxStatus.PENDING):
                break
            now += timedelta(minutes=5)
            email_manager.send_due(now, batch=2)
        assert outbox(OutboxStatus.PENDING) == [] and outbox(OutboxStatus.FAILED) == []

        message_ids = Counter(message["Message-ID"] for _, message in smtp.inbox.messages)
        assert len(message_ids) == 3 + waiting and set(message_ids.values()) == {1}
        received = Counter((recipients[0], message["Subject"]) for recipients, message in smtp.inbox.messages)
        assert received == Counter((row.recipient, row.subject) for row in outbox())  # all of them, once each
        assert sum(second.number in subject for _, subject in received) == 3  # filed: requester, admin; assigned


def test_gives_up_after_the_last_attempt_and_says_why(app, helpdesk, monkeypatch):
    monkeypatch.setattr(email_manager, "MAX_ATTEMPTS", 3)
    with app.app_context():
        point_mail_at(free_port())
        file_ticket(helpdesk, category="invoice", requester=None, requester_name="Ana",
                    requester_email="ana@example.org")
        now = utcnow()
        for _ in range(3):
            email_manager.send_due(now)
            now += email_manager.RETRY_LONGEST
        rows = outbox()
        assert all(row.status == OutboxStatus.FAILED and row.attempts == 3 and row.sent_at is None for row in rows)
        assert all("Connection refused" in row.last_error or "ConnectionRefused" in row.last_error for row in rows)
        assert email_manager.send_due(now + timedelta(days=1)) == (0, 0)


def test_a_refused_recipient_fails_alone(app, helpdesk, smtp):
    class RefusesAna(Inbox):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address == "ana@example.org":
                return "550 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    smtp.stop()
    smtp.inbox = RefusesAna()
    smtp.start()
    with app.app_context():
        file_ticket(helpdesk, category="invoice", requester=None, requester_name="Ana",
                    requester_email="ana@example.org")
        assert email_manager.send_due() == (1, 1)
        refused, = outbox(OutboxStatus.PENDING)
        assert refused.recipient == "ana@example.org" and "550" in refused.last_error
        assert [recipients for recipients, _ in smtp.inbox.messages] == [["admin1@example.org"]]


def test_links_use_the_public_address_never_the_requests_host(app):
    with app.app_context():
        assert email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=7) == "http://127.0.0.1:5000/tickets/7"
        with app.test_request_context(base_url="http://evil.example"):  # a Host header anyone can send
            assert email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=7) == \
                "http://127.0.0.1:5000/tickets/7"

        save_settings({"public_url": "https://desk.example.org/help"}, None)
        assert email_manager.absolute_url("helpdesk.track", token="abc") == "https://desk.example.org/help/soporte/t/abc"
        with app.test_request_context(base_url="http://evil.example"):
            assert email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=7) == \
                "https://desk.example.org/help/tickets/7"


# --- PostgreSQL: several senders at once ----------------------------------------------------------


@pytest.mark.postgres
def test_concurrent_senders_deliver_each_message_once(pg_clean):
    app = pg_clean
    server = SMTPServer(free_port())
    server.start()
    try:
        with app.app_context():
            point_mail_at(server.port)
            now = utcnow()
            db.session.add_all(OutboxMessage(recipient=f"person{number}@example.org", subject=f"Message {number}",
                                             text_body="Hola", html_body="<p>Hola</p>", status=OutboxStatus.PENDING,
                                             attempts=0, next_attempt_at=now, created_at=now)
                               for number in range(40))
            db.session.commit()
        start, results = threading.Barrier(4), []

        def sender():
            with app.app_context():
                start.wait()
                while (result := email_manager.send_due(batch=3)) != (0, 0):
                    results.append(result)

        threads = [threading.Thread(target=sender) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        subjects = Counter(message["Subject"] for _, message in server.inbox.messages)
        assert len(subjects) == 40 and set(subjects.values()) == {1}
        assert sum(sent for sent, _ in results) == 40
        with app.app_context():
            assert len(outbox(OutboxStatus.SENT)) == 40
    finally:
        server.stop()
