"""Followers and copies. Staff who may see a ticket follow it and hear of it as its assignee does
(bell and mail, never of what they did, once even when they are the assignee too). The requester
(signed in or through the tracking link) and staff put people in copy by email; they receive the
public replies, never internal notes, never the tracking link, and can leave from any of those
mails. Mail is read back from a real SMTP server."""
import re
from html import unescape

from sqlalchemy import select

import email_manager
from extensions import db
from models import AgentArea, AuditLog, Notification, NotificationKind, Role, Ticket, TicketCopy, TicketWatcher, User
from services.helpdesk import tickets, watchers

BOSS = "Jefa.Compras@Example.org"  # stored lower-case


def parts(message):
    return tuple(message.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))


def person(ids, role):
    return db.session.get(User, ids[role])


def file_for_user(helpdesk, category="printer"):
    """user1's ticket; in Soporte it goes to agent1."""
    return tickets.file_ticket(title="El proyector de la sala B no enciende", description="Ni la luz de espera.",
                               category_id=helpdesk[category], requester=person(helpdesk, "user"))


def file_without_account(helpdesk):
    return tickets.file_ticket(title="Sin acceso al correo", description="Desde el lunes.",
                               category_id=helpdesk["printer"], requester_name="Ana Pérez Ñúñez",
                               requester_email="ana@example.org")


def deliver(smtp):
    email_manager.send_due()
    smtp.inbox.messages.clear()


def received(smtp):
    email_manager.send_due()
    return smtp.inbox.by_recipient()


def bell(user_id):
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                   .order_by(Notification.id)))


def english(role, ids):
    person(ids, role).locale = "en"
    db.session.commit()


# --- following ----------------------------------------------------------------------------------


def test_staff_follow_and_unfollow_from_the_ticket_page(client_as, helpdesk, data):
    with data():
        english("admin", helpdesk)
        ticket_id = file_for_user(helpdesk).id
    admin = client_as("admin")
    page = admin.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="follow-button"' in page and "Follow this ticket" in page and "Nobody follows this ticket." in page

    response = admin.post(f"/tickets/{ticket_id}/follow")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tickets/{ticket_id}#followers")
    page = admin.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "Stop following" in page and 'aria-pressed="true"' in page and "Admin Uno" in page
    assert admin.post(f"/tickets/{ticket_id}/follow").status_code == 302  # twice: still one row
    with data():
        assert [w.user_id for w in db.session.scalars(select(TicketWatcher))] == [helpdesk["admin"]]

    assert admin.post(f"/tickets/{ticket_id}/unfollow").status_code == 302
    with data():
        assert db.session.scalars(select(TicketWatcher)).all() == []


def test_a_requester_cannot_follow_and_does_not_see_who_does(client_as, helpdesk, data):
    with data():
        ticket_id = file_for_user(helpdesk).id
    client_as("admin").post(f"/tickets/{ticket_id}/follow")
    requester = client_as("user")
    assert requester.post(f"/tickets/{ticket_id}/follow").status_code == 302  # refused, with a message
    page = requester.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'id="follow-form"' not in page and "Admin Uno" not in page
    with data():
        assert [w.user_id for w in db.session.scalars(select(TicketWatcher))] == [helpdesk["admin"]]
    # someone who may not see the ticket cannot learn it exists
    assert client_as("staff").post(f"/tickets/{ticket_id}/follow").status_code == 404


def test_a_follower_hears_what_others_do_but_never_their_own_doing(client_as, helpdesk, smtp, data):
    with data():
        english("admin", helpdesk)
        ticket = file_for_user(helpdesk)
        watchers.follow(ticket, person(helpdesk, "admin"))
        deliver(smtp)
        agent, admin, requester = (person(helpdesk, role) for role in ("agent", "admin", "user"))

        tickets.add_comment(ticket, "Reviso el cable HDMI.", agent)
        tickets.add_comment(ticket, "Pedir proyector de repuesto.", agent, internal=True)
        tickets.change_status(ticket, "in_progress", agent)
        tickets.add_comment(ticket, "Gracias, espero.", requester)
        tickets.add_comment(ticket, "Yo lo llevo.", admin)  # the follower's own: nothing for them
        mail = received(smtp)["admin1@example.org"]
        subjects = [message["Subject"] for message in mail]
        number = ticket.number
        assert subjects == [f"[{number}] Agent Uno replied: El proyector de la sala B no enciende",
                            f"[{number}] Internal note from Agent Uno: El proyector de la sala B no enciende",
                            f"[{number}] Now “In progress”: El proyector de la sala B no enciende",
                            f"[{number}] User Uno replied: El proyector de la sala B no enciende"]
        assert "Pedir proyector de repuesto." in parts(mail[1])[0]
        assert all("because you follow this ticket" in parts(message)[0] for message in mail)
        kinds = [(n.kind, n.actor_name, (n.data or {}).get("internal")) for n in bell(helpdesk["admin"])]
        assert kinds == [(NotificationKind.REPLY, "Agent Uno", None), (NotificationKind.REPLY, "Agent Uno", True),
                         (NotificationKind.STATUS, "Agent Uno", None), (NotificationKind.REPLY, "User Uno", None)]


def test_an_assignee_who_follows_hears_once_and_not_of_their_own_doing(helpdesk, smtp, data):
    with data():
        ticket = file_for_user(helpdesk)
        agent = person(helpdesk, "agent")
        watchers.follow(ticket, agent)
        deliver(smtp)
        tickets.add_comment(ticket, "Voy en camino.", agent)  # their own
        tickets.add_comment(ticket, "Aquí lo espero.", person(helpdesk, "user"))
        tickets.change_status(ticket, "closed", person(helpdesk, "user"))
        tickets.change_status(ticket, "open", person(helpdesk, "user"))
        mail = received(smtp)["agent1@example.org"]
        assert len(mail) == 3  # the requester's reply, closing and reopening: once each
        assert [n.kind for n in bell(helpdesk["agent"])] == [
            NotificationKind.ASSIGNED, NotificationKind.REPLY, NotificationKind.STATUS, NotificationKind.REOPENED]


def test_a_follower_who_may_no_longer_see_the_ticket_hears_nothing_more(helpdesk, smtp, data):
    with data():
        ticket = file_for_user(helpdesk, category="invoice")  # Facturación, unassigned
        second = User(username="agent2", email="agent2@example.org", full_name="Agente Dos", role=Role.AGENT,
                      password_hash="-")
        db.session.add(second)
        db.session.flush()
        db.session.add_all([AgentArea(user_id=helpdesk["agent"], area_id=helpdesk["billing"]),
                            AgentArea(user_id=second.id, area_id=helpdesk["billing"])])
        db.session.commit()
        watchers.follow(ticket, person(helpdesk, "agent"))  # may: unassigned in their area
        tickets.assign(ticket, second.id, person(helpdesk, "admin"))  # now agent2's: agent1 no longer sees it
        deliver(smtp)
        tickets.add_comment(ticket, "¿Hay novedades?", person(helpdesk, "user"))
        assert sorted(received(smtp)) == ["agent2@example.org"]
        assert [n.kind for n in bell(helpdesk["agent"])] == []


# --- copies -------------------------------------------------------------------------------------


def test_the_signed_in_requester_puts_someone_in_copy_who_gets_public_replies_only(client_as, helpdesk, smtp, data):
    with data():
        ticket = file_for_user(helpdesk)
        deliver(smtp)
        ticket_id, token = ticket.id, ticket.tracking_token

    requester = client_as("user")
    response = requester.post(f"/tickets/{ticket_id}/copies", data={"email": f"  {BOSS} "})
    assert response.status_code == 302 and response.headers["Location"].endswith("#followers")
    page = requester.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert 'data-copy="jefa.compras@example.org"' in page

    with data():
        ticket = db.session.get(Ticket, ticket_id)
        welcome = received(smtp)["jefa.compras@example.org"]
        deliver(smtp)
        agent = person(helpdesk, "agent")
        tickets.add_comment(ticket, "Cambiaré la lámpara mañana.", agent)
        tickets.add_comment(ticket, "Cobrar al área de compras.", agent, internal=True)
        tickets.add_comment(ticket, "Gracias, aquí estaremos.", person(helpdesk, "user"))
        copies = received(smtp)["jefa.compras@example.org"]

    (added,) = welcome
    text, html = parts(added)
    assert "User Uno" in text and ticket.number in added["Subject"] and "Ni la luz de espera." in text
    assert len(copies) == 2  # the two public replies; never the note
    bodies = [parts(message) for message in copies]
    assert "Cambiaré la lámpara mañana." in bodies[0][0] and "Gracias, aquí estaremos." in bodies[1][0]
    everything = "".join(t + h for t, h in [parts(added), *bodies])
    assert "Cobrar al área de compras" not in everything
    assert token not in everything and "/soporte/t/" not in everything  # never the requester's key
    assert f"/tickets/{ticket_id}" not in everything  # nor a page they cannot open
    assert all("/soporte/copia/" in t for t, _h in bodies)  # but always the way out


def test_through_the_tracking_link_the_requester_adds_and_removes_copies_audited_in_their_name(
        client, helpdesk, smtp, data):
    with data():
        ticket = file_without_account(helpdesk)
        ticket_id, token = ticket.id, ticket.tracking_token
    link = f"/soporte/t/{token}"
    assert 'id="copy-form"' in client.get(link).get_data(as_text=True)
    response = client.post(f"{link}/copies", data={"email": "colega@example.org"})
    assert response.status_code == 302 and response.headers["Location"] == f"{link}#followers"
    assert client.post(f"{link}/copies/remove", data={"email": "colega@example.org"}).status_code == 302

    with data():
        assert db.session.scalars(select(TicketCopy)).all() == []
        rows = list(db.session.scalars(select(AuditLog).where(AuditLog.action.like("ticket.copy_%"))
                                       .order_by(AuditLog.id)))
        assert [(r.action, r.actor_name, r.actor_via, r.before, r.after) for r in rows] == [
            ("ticket.copy_added", "Ana Pérez Ñúñez", "link", None, {"email": "colega@example.org"}),
            ("ticket.copy_removed", "Ana Pérez Ñúñez", "link", {"email": "colega@example.org"}, None)]
        assert db.session.get(Ticket, ticket_id).tracking_token not in str(received(smtp))
    page = client.get(link).get_data(as_text=True)
    assert "colega@example.org" in page and "Ana Pérez Ñúñez" in page  # in the timeline, by name


def test_a_reply_holding_the_tracking_link_reaches_copies_with_the_link_hidden(client_as, helpdesk, smtp, data):
    """A reply template's {tracking_link} puts the requester's key in the reply: the requester
    gets it, the person in copy reads the reply without it (it would let them act as the requester)."""
    with data():
        ticket = file_without_account(helpdesk)
        watchers.add_copy(ticket, "colega@example.org", None)
        deliver(smtp)
        ticket_id, token = ticket.id, ticket.tracking_token
    agent = client_as("agent")
    body = f"Hola, siga su ticket en <http://localhost/soporte/t/{token}>.\nO pegue esta clave: {token}"
    assert agent.post(f"/tickets/{ticket_id}/reply", data={"body": body}).status_code == 302

    with data():
        mail = received(smtp)
    (requester_mail,) = mail["ana@example.org"]
    assert token in parts(requester_mail)[0]  # the requester's own link, theirs to keep
    (copy_mail,) = mail["colega@example.org"]
    text, html = parts(copy_mail)
    assert token not in text + html and "/soporte/t/" not in text + html
    # in the default language (no account): Spanish once the catalog has it, English until then
    hidden = next(words for words in ("(el enlace privado del solicitante)", "(the requester's private link)")
                  if words in text)
    assert f"> Hola, siga su ticket en {hidden}.\n> O pegue esta clave: {hidden}\n" in text
    assert unescape(html).count(hidden) == 2


def test_staff_manage_copies_and_see_them_on_the_ticket(client_as, helpdesk, data):
    with data():
        ticket_id = file_for_user(helpdesk).id
    agent = client_as("agent")
    assert agent.post(f"/tickets/{ticket_id}/copies", data={"email": "soporte.externo@example.org"}).status_code == 302
    assert 'data-copy="soporte.externo@example.org"' in client_as("user").get(f"/tickets/{ticket_id}").get_data(
        as_text=True)
    assert client_as("staff").post(f"/tickets/{ticket_id}/copies", data={"email": "x@example.org"}).status_code == 404
    with data():
        (row,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "ticket.copy_added"))
        assert (row.actor_id, row.actor_via) == (helpdesk["agent"], None)


def test_a_refused_address_comes_back_beside_its_field_in_the_readers_language(client_as, helpdesk, data):
    with data():
        english("user", helpdesk)
        ticket_id = file_for_user(helpdesk).id
    requester = client_as("user")

    def refused(email, status):
        response = requester.post(f"/tickets/{ticket_id}/copies", data={"email": email})
        assert response.status_code == status
        page = response.get_data(as_text=True)
        feedback = re.search(r'id="copy-email"[^>]*>.*?<div class="invalid-feedback">([^<]*)</div>', page, re.S)
        assert 'class="form-control is-invalid"' in page and feedback, page
        return unescape(feedback.group(1))

    assert refused("jefa@", 400) == "Write a valid email address, such as name@example.org."
    assert refused("", 400) == "Write an email address."
    assert refused("user1@example.org", 400) == "That is the requester's address: they receive every reply already."
    assert refused("x" * 250 + "@example.org", 400) == "At most 255 characters."
    requester.post(f"/tickets/{ticket_id}/copies", data={"email": BOSS})
    assert refused(BOSS.upper(), 409) == "jefa.compras@example.org is in copy already."
    for n in range(2, 11):
        assert requester.post(f"/tickets/{ticket_id}/copies", data={"email": f"p{n}@example.org"}).status_code == 302
    page = requester.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert "10 of 10" in page and 'id="copy-form"' not in page  # full: no form to fill in for nothing
    assert refused("once@example.org", 400) == "At most 10 people can be in copy; remove someone first."
    with data():
        assert db.session.query(TicketCopy).count() == 10


def test_copy_and_follow_forms_need_the_csrf_token(client, client_as, helpdesk, data):
    with data():
        ticket_id = file_for_user(helpdesk).id
        token = file_without_account(helpdesk).tracking_token
    assert client_as("user").post(f"/tickets/{ticket_id}/copies", data={"email": BOSS}, csrf=False).status_code == 400
    assert client.post(f"/soporte/t/{token}/copies", data={"email": BOSS}, csrf=False).status_code == 400
    assert client_as("admin").post(f"/tickets/{ticket_id}/follow", csrf=False).status_code == 400
    with data():
        assert db.session.query(TicketCopy).count() == 0


def test_someone_in_copy_leaves_through_the_link_in_their_mail(client, client_as, helpdesk, smtp, data):
    with data():
        ticket = file_for_user(helpdesk)
        deliver(smtp)
        ticket_id = ticket.id
    client_as("user").post(f"/tickets/{ticket_id}/copies", data={"email": BOSS})
    with data():
        (welcome,) = received(smtp)["jefa.compras@example.org"]
        smtp.inbox.messages.clear()
    leave = re.search(r"http://[^/\s]+(/soporte/copia/\S+)", parts(welcome)[0]).group(1)

    page = client.get(leave)
    assert page.status_code == 200 and page.headers["Referrer-Policy"] == "no-referrer"
    assert 'id="leave-copy-form"' in page.get_data(as_text=True)
    assert client.post(leave, csrf=False).status_code == 400
    done = client.post(leave).get_data(as_text=True)
    assert 'id="left-copy"' in done and "jefa.compras@example.org" in done
    assert client.post(leave).status_code == 200  # again: nothing more to do
    assert client.get(leave[:-3] + "xyz").status_code == 404  # a forged key

    with data():
        assert db.session.query(TicketCopy).count() == 0
        (row,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "ticket.copy_removed"))
        assert (row.actor_name, row.actor_via) == ("jefa.compras@example.org", "mail")
        tickets.add_comment(db.session.get(Ticket, ticket_id), "Listo.", person(helpdesk, "agent"))
        assert "jefa.compras@example.org" not in received(smtp)

    # the ticket's timeline says they left, in the reader's language
    with data():
        english("agent", helpdesk)
    page = client_as("agent").get(f"/tickets/{ticket_id}").get_data(as_text=True)
    entry = re.search(r'data-action="ticket.copy_removed">(.*?)</li>', page, re.S).group(1)
    assert "(in copy, via the link in a mail)" in entry and "stopped receiving the replies" in entry
