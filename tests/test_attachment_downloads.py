"""Attachment downloads (only for people who may see the ticket) and the removal of files of
long-closed tickets."""
from datetime import timedelta

from sqlalchemy import func, select

from extensions import db
from models import Attachment, Ticket, User
from services.helpdesk import attachments, tickets
from services.timeutil import utcnow
from tests.support.attachments import PDF, PNG, TEXT, file_with, stored_files, upload

# --- downloads -------------------------------------------------------------------------------


def test_download_headers_keep_the_file_from_running_as_a_page(app, attachment_desk, signed_in):
    with app.app_context():
        ticket_id, _, ids = file_with(attachment_desk, "user", [upload("foto.png", PNG), upload("Índice ñ.pdf", PDF),
                                                       upload("notas.txt", TEXT)])
    client = signed_in("user1")
    image, document, text = (client.get(f"/tickets/{ticket_id}/files/{n}") for n in ids)
    assert image.headers["Content-Disposition"].startswith("inline")
    assert document.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%C3%8Dndice%20%C3%B1.pdf" in document.headers["Content-Disposition"]
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text.headers["Content-Disposition"].startswith("attachment")
    for response in (image, document, text):
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
        assert "private" in response.headers["Cache-Control"]


def test_only_people_who_may_see_the_ticket_download_its_files(app, attachment_desk, signed_in):
    with app.app_context():
        ticket_id, _, [attachment_id] = file_with(attachment_desk, "user", [upload("foto.png", PNG)])
        assert db.session.get(Ticket, ticket_id).assignee_id == attachment_desk["agent"]
    url = f"/tickets/{ticket_id}/files/{attachment_id}"
    for username in ("user1", "agent1", "admin1"):
        assert signed_in(username).get(url).status_code == 200, username
    for username in ("user2", "agent2", "staff1", "registrar1"):  # agent2 works in another area
        assert signed_in(username).get(url).status_code == 404, username
    response = app.test_client().get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_users_file_is_not_reachable_through_ones_own_ticket(app, attachment_desk, signed_in):
    with app.app_context():
        own_ticket, _, _ = file_with(attachment_desk, "user", [upload("mia.png", PNG)])
        other_ticket, _, [other_file] = file_with(attachment_desk, "user2", [upload("ajena.pdf", PDF)])
    client = signed_in("user1")
    assert client.get(f"/tickets/{own_ticket}/files/{other_file}").status_code == 404
    assert client.get(f"/tickets/{other_ticket}/files/{other_file}").status_code == 404
    assert client.get(f"/tickets/{own_ticket}/files/999999").status_code == 404


def test_an_agent_sees_files_of_unassigned_tickets_of_their_area_only(app, attachment_desk, signed_in):
    with app.app_context():
        db.session.get(User, attachment_desk["agent"]).available = False  # nobody to assign to: stays unassigned
        db.session.commit()
        ticket_id, _, [attachment_id] = file_with(attachment_desk, "user", [upload("foto.png", PNG)])
        assert db.session.get(Ticket, ticket_id).assignee_id is None
    url = f"/tickets/{ticket_id}/files/{attachment_id}"
    assert signed_in("agent1").get(url).status_code == 200
    assert signed_in("agent2").get(url).status_code == 404


def test_files_of_internal_notes_are_for_staff_only(app, attachment_desk, signed_in):
    with app.app_context():
        ticket_id, token, _ = file_with(attachment_desk, None, [])
        ticket = db.session.get(Ticket, ticket_id)
        agent = db.session.get(User, attachment_desk["agent"])
        note = tickets.add_comment(ticket, "Clave del router", agent, internal=True,
                                   files=[upload("router.txt", TEXT)])
        reply = tickets.add_comment(ticket, "Pruebe esto", agent, files=[upload("guia.pdf", PDF)])
        note_file, reply_file = note.attachments[0].id, reply.attachments[0].id
    anonymous = app.test_client()
    assert anonymous.get(f"/soporte/t/{token}/files/{note_file}").status_code == 404
    assert anonymous.get(f"/soporte/t/{token}/files/{reply_file}").data == PDF
    assert signed_in("agent1").get(f"/tickets/{ticket_id}/files/{note_file}").data == TEXT
    assert signed_in("admin1").get(f"/tickets/{ticket_id}/files/{note_file}").status_code == 200

    with app.app_context():
        own_ticket, _, _ = file_with(attachment_desk, "user", [])
        ticket = db.session.get(Ticket, own_ticket)
        note = tickets.add_comment(ticket, "Nota", db.session.get(User, attachment_desk["agent"]), internal=True,
                                   files=[upload("interna.png", PNG)])
        note_file = note.attachments[0].id
    assert signed_in("user1").get(f"/tickets/{own_ticket}/files/{note_file}").status_code == 404
    assert signed_in("agent1").get(f"/tickets/{own_ticket}/files/{note_file}").status_code == 200


def test_the_tracking_link_reaches_only_its_own_tickets_files(app, attachment_desk):
    with app.app_context():
        _, token, [own_file] = file_with(attachment_desk, None, [upload("foto.png", PNG)])
        _, _, [other_file] = file_with(attachment_desk, None, [upload("otra.png", PNG)])
    client = app.test_client()
    assert client.get(f"/soporte/t/{token}/files/{own_file}").data == PNG
    assert client.get(f"/soporte/t/{token}/files/{other_file}").status_code == 404
    assert client.get(f"/soporte/t/{'x' * 40}/files/{own_file}").status_code == 404


def test_a_file_missing_from_disk_is_a_clean_404(app, attachment_desk, signed_in, upload_dir):
    with app.app_context():
        ticket_id, token, [attachment_id] = file_with(attachment_desk, "user", [upload("foto.png", PNG)])
        attachments.file_path(db.session.get(Attachment, attachment_id)).unlink()
    response = signed_in("user1").get(f"/tickets/{ticket_id}/files/{attachment_id}")
    assert response.status_code == 404
    assert "This file is no longer available." in response.get_data(as_text=True)
    assert app.test_client().get(f"/soporte/t/{token}/files/{attachment_id}").status_code == 404


# --- retention -------------------------------------------------------------------------------


def test_files_of_tickets_closed_longer_than_the_retention_are_removed(app, attachment_desk, signed_in, upload_dir):
    now = utcnow()
    with app.app_context():
        admin = db.session.get(User, attachment_desk["admin"])
        old_id, _, old_files = file_with(attachment_desk, "user", [upload("vieja.png", PNG)],
                                         now=now - timedelta(days=10))
        old = db.session.get(Ticket, old_id)
        reply = tickets.add_comment(old, "Listo", admin, files=[upload("cierre.pdf", PDF)],
                                    now=now - timedelta(days=9))
        old_files.append(reply.attachments[0].id)
        tickets.change_status(old, "closed", admin, now=now - timedelta(days=8))
        recent_id, _, [recent_file] = file_with(attachment_desk, "user", [upload("reciente.png", PNG)],
                                                now=now - timedelta(days=10))
        tickets.change_status(db.session.get(Ticket, recent_id), "closed", admin, now=now - timedelta(days=6))
        open_id, _, [open_file] = file_with(attachment_desk, "user", [upload("abierta.png", PNG)],
                                            now=now - timedelta(days=30))
        kept = {db.session.get(Attachment, n).stored_name for n in (recent_file, open_file)}
        assert len(stored_files(upload_dir)) == 4

        assert attachments.remove_expired_files(now) == 2
        assert set(stored_files(upload_dir)) == kept
        for attachment_id in old_files:
            attachment = db.session.get(Attachment, attachment_id)
            assert attachment is not None and attachment.removed_at is not None
        assert db.session.get(Attachment, recent_file).removed_at is None
        assert db.session.get(Attachment, open_file).removed_at is None

        assert attachments.remove_expired_files(now) == 0  # a second run removes nothing more
        assert attachments.remove_expired_files(now + timedelta(days=2)) == 1  # the recent one's turn
        assert set(stored_files(upload_dir)) == kept - {db.session.get(Attachment, recent_file).stored_name}

    client = signed_in("user1")
    response = client.get(f"/tickets/{old_id}/files/{old_files[0]}")
    assert response.status_code == 404
    assert "has been removed" in response.get_data(as_text=True)
    page = client.get(f"/tickets/{old_id}").get_data(as_text=True)
    assert "vieja.png" in page and f"/files/{old_files[0]}" not in page


def test_removal_works_through_batches(app, attachment_desk, upload_dir):
    now = utcnow()
    with app.app_context():
        admin = db.session.get(User, attachment_desk["admin"])
        for _ in range(3):
            ticket_id, _, _ = file_with(attachment_desk, "user", [upload("a.png", PNG), upload("b.pdf", PDF)],
                                        now=now - timedelta(days=20))
            tickets.change_status(db.session.get(Ticket, ticket_id), "closed", admin, now=now - timedelta(days=10))
        assert attachments.remove_expired_files(now, batch_size=4) == 6
        assert stored_files(upload_dir) == []
        assert db.session.scalar(select(func.count()).where(Attachment.removed_at.is_(None))) == 0
