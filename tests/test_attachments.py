"""Attachments: what is accepted (by content), how it is stored, who may download it, and how
files of long-closed tickets are removed."""
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from extensions import db
from models import AgentArea, Attachment, Role, Setting, Ticket, User
from services import attachments, tickets
from services.errors import ValidationFailed
from services.settings import forget_cached
from services.timeutil import utcnow
from tests.conftest import PASSWORD, login

MB = 1024 * 1024


# --- files -----------------------------------------------------------------------------------


def image_bytes(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def office_bytes(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(member, "<document/>")
    return buffer.getvalue()


PNG = image_bytes("PNG")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = "Impresora del 2º piso: atasco de papel — código E-42.\n".encode()
DOCX = office_bytes("word/document.xml")
XLSX = office_bytes("xl/workbook.xml")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"

ACCEPTED = [
    ("foto.png", PNG, "image/png"),
    ("foto.jpg", image_bytes("JPEG"), "image/jpeg"),
    ("anim.gif", image_bytes("GIF"), "image/gif"),
    ("foto.webp", image_bytes("WEBP"), "image/webp"),
    ("manual.pdf", PDF, "application/pdf"),
    ("notas.txt", TEXT, "text/plain"),
    ("informe.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("datos.xlsx", XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
]


def upload(name, data):
    return FileStorage(io.BytesIO(data), filename=name)


def in_english(error):
    with force_locale("en"):
        return str(error)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
def upload_dir(app):
    """UPLOAD_DIR, emptied: files of earlier tests do not count."""
    folder = Path(app.config["UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.iterdir():
        path.unlink()
    return folder


@pytest.fixture
def desk(app, helpdesk, upload_dir):
    """The helpdesk fixture plus user2 (another requester) and agent2 (works in Facturación only);
    everyone reads English so messages can be compared."""
    with app.app_context():
        for username, role in (("user2", Role.USER), ("agent2", Role.AGENT)):
            person = User(username=username, email=f"{username}@example.org", full_name=username.title(), role=role)
            person.set_password(PASSWORD)
            db.session.add(person)
            db.session.flush()
            helpdesk[username] = person.id
        db.session.add(AgentArea(user_id=helpdesk["agent2"], area_id=helpdesk["billing"]))
        for person in db.session.scalars(select(User)):
            person.locale = "en"
        db.session.commit()
    return helpdesk


@pytest.fixture
def signed_in(app):
    def make(username):
        client = app.test_client()
        assert login(client, username).status_code == 302
        return client

    return make


def file_with(desk, requester_key, files, now=None, category="printer"):
    """A ticket filed through the service with these files; returns (ticket id, token, attachment ids)."""
    requester = db.session.get(User, desk[requester_key]) if requester_key else None
    extra = {} if requester else {"requester_name": "Ana Pérez", "requester_email": "ana@example.org"}
    ticket = tickets.file_ticket(title="No imprime", description="La impresora no responde.",
                                 category_id=desk[category], requester=requester, files=files, now=now, **extra)
    return ticket.id, ticket.tracking_token, [attachment.id for attachment in ticket.attachments]


def set_setting(key, value):
    db.session.merge(Setting(key=key, value=value))
    db.session.commit()
    forget_cached()


def stored_files(folder):
    return sorted(path.name for path in folder.iterdir())


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- what is accepted ------------------------------------------------------------------------


@pytest.mark.parametrize("name, data, content_type", ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_each_accepted_type_is_stored_with_the_type_its_content_has(app, desk, signed_in, name, data, content_type):
    with app.app_context():
        ticket_id, _, [attachment_id] = file_with(desk, "user", [upload(name, data)])
        attachment = db.session.get(Attachment, attachment_id)
        assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type, len(data))

    response = signed_in("user1").get(f"/tickets/{ticket_id}/files/{attachment_id}")
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == content_type


def test_filing_through_the_page_stores_the_files(app, desk, signed_in, upload_dir):
    client = signed_in("user1")
    response = client.post("/tickets/new", data={
        "title": "Pantalla rota", "description": "Adjunto foto y manual.", "category_id": desk["printer"],
        "attachments": [(io.BytesIO(PNG), "pantalla.png"), (io.BytesIO(PDF), "manual.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        ticket = db.session.scalars(select(Ticket)).one()
        assert [(a.original_name, a.content_type) for a in ticket.attachments] == [
            ("pantalla.png", "image/png"), ("manual.pdf", "application/pdf")]
        assert stored_files(upload_dir) == sorted(a.stored_name for a in ticket.attachments)
        ticket_id, attachment_id = ticket.id, ticket.attachments[0].id
    page = client.get(f"/tickets/{ticket_id}").get_data(as_text=True)
    assert f"/tickets/{ticket_id}/files/{attachment_id}" in page and "pantalla.png" in page


def test_a_reply_through_the_page_carries_its_files(app, desk, signed_in):
    with app.app_context():
        ticket_id, _, _ = file_with(desk, "user", [])
    response = signed_in("agent1").post(f"/tickets/{ticket_id}/reply", data={
        "body": "Aquí la guía.", "attachments": [(io.BytesIO(PDF), "guía.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        [attachment] = db.session.scalars(select(Attachment)).all()
        assert attachment.comment_id is not None and attachment.original_name == "guía.pdf"
        attachment_id = attachment.id
    assert signed_in("user1").get(f"/tickets/{ticket_id}/files/{attachment_id}").data == PDF


def test_a_file_whose_name_lies_is_stored_as_what_it_is(app, desk, signed_in):
    with app.app_context():
        ticket_id, _, [attachment_id] = file_with(desk, "user", [upload("x.pdf", PNG)])
        attachment = db.session.get(Attachment, attachment_id)
        # The type comes from the bytes; the name gets the true extension so it opens as what it is.
        assert (attachment.content_type, attachment.original_name) == ("image/png", "x.pdf.png")
    response = signed_in("user1").get(f"/tickets/{ticket_id}/files/{attachment_id}")
    assert response.mimetype == "image/png"


def test_the_browsers_content_type_is_ignored(app, desk):
    with app.app_context():
        file = FileStorage(io.BytesIO(PDF), filename="manual.pdf", content_type="text/html")
        _, _, [attachment_id] = file_with(desk, "user", [file])
        assert db.session.get(Attachment, attachment_id).content_type == "application/pdf"


# --- what is refused -------------------------------------------------------------------------


@pytest.mark.parametrize("name, data", [
    ("setup.png", EXE),
    ("setup.exe", EXE),
    ("pagina.png", HTML),
    ("pagina.html", HTML),
    ("imagen.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("archivo.zip", office_bytes("otra/cosa.xml")),
    ("binario.txt", b"texto\x00con nulos"),
    ("latin1.txt", "año".encode("latin-1")),
    ("vacio.txt", b""),
], ids=["exe-as-png", "exe", "html-as-png", "html", "svg", "plain-zip", "nul-bytes", "not-utf8", "empty"])
def test_a_file_that_is_not_an_accepted_type_is_refused_by_content(app, desk, name, data):
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            attachments.check_uploads([upload(name, data)])
        assert caught.value.field == "attachments"
        assert f"“{name}”" in in_english(caught.value)


def test_a_docx_named_like_an_image_is_still_a_docx(app, desk):
    with app.app_context():
        [prepared] = attachments.check_uploads([upload("informe.png", DOCX)])
        assert prepared.content_type.endswith("wordprocessingml.document")
        assert prepared.name == "informe.png.docx"


def zip_with(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<document/>")
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_built_to_explode_is_refused_without_extracting_it(app, desk, monkeypatch):
    monkeypatch.setattr(attachments, "ZIP_MAX_EXPANDED", 2 * MB)  # the real bound, scaled down
    bomb = zip_with([("word/media/bomb.bin", b"\x00" * (3 * MB))])
    assert len(bomb) < 10_000
    swarm = zip_with([(f"word/media/{n}.xml", "") for n in range(attachments.ZIP_MAX_ENTRIES)])
    with app.app_context():
        for name, data in (("bomba.docx", bomb), ("enjambre.docx", swarm)):
            with pytest.raises(ValidationFailed) as caught:
                attachments.check_uploads([upload(name, data)])
            assert f"“{name}” is a damaged or unsafe Office file." == in_english(caught.value)


def test_a_file_over_the_size_setting_is_refused(app, desk, signed_in, upload_dir):
    with app.app_context():
        set_setting("attachment_max_mb", 1)
    exactly = b"a" * MB
    with app.app_context():
        [prepared] = attachments.check_uploads([upload("justo.txt", exactly)])
        assert prepared.size == MB
    response = signed_in("user1").post("/tickets/new", data={
        "title": "Grande", "description": "Un archivo grande.", "category_id": desk["printer"],
        "attachments": [(io.BytesIO(exactly + b"a"), "grande.txt")],
    }, content_type="multipart/form-data")
    assert response.status_code in (200, 400)
    assert "“grande.txt” is larger than 1 MB." in response.get_data(as_text=True)
    with app.app_context():
        assert count(Ticket) == 0 and count(Attachment) == 0
    assert stored_files(upload_dir) == []


def test_an_oversized_file_is_not_read_whole(app, desk):
    class Endless(io.RawIOBase):
        """A stream that would never end if read to the end."""

        def __init__(self):
            self.served = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            self.served += len(buffer)
            buffer[:] = b"a" * len(buffer)
            return len(buffer)

    stream = Endless()
    with app.app_context():
        with pytest.raises(ValidationFailed):
            attachments.check_uploads([FileStorage(io.BufferedReader(stream), filename="infinito.txt")])
    assert stream.served <= 5 * MB + 1 + io.DEFAULT_BUFFER_SIZE


def test_more_files_than_the_setting_allows_are_refused(app, desk, signed_in, upload_dir):
    response = signed_in("user1").post("/tickets/new", data={
        "title": "Muchos", "description": "Seis archivos.", "category_id": desk["printer"],
        "attachments": [(io.BytesIO(PNG), f"foto{n}.png") for n in range(6)],
    }, content_type="multipart/form-data")
    assert "You can attach at most 5 files at a time." in response.get_data(as_text=True)
    with app.app_context():
        assert count(Ticket) == 0 and count(Attachment) == 0
        set_setting("attachment_max_files", 2)
        with pytest.raises(ValidationFailed):
            attachments.check_uploads([upload(f"f{n}.png", PNG) for n in range(3)])
        assert len(attachments.check_uploads([upload(f"f{n}.png", PNG) for n in range(2)] + [upload("", b"")])) == 2
    assert stored_files(upload_dir) == []


def test_a_rejected_upload_leaves_no_row_and_no_file(app, desk, upload_dir):
    with app.app_context():
        ticket_id, _, _ = file_with(desk, "user", [])
        ticket = db.session.get(Ticket, ticket_id)
        with pytest.raises(ValidationFailed):
            tickets.add_comment(ticket, "Dos archivos", db.session.get(User, desk["user"]),
                                files=[upload("bien.png", PNG), upload("mal.png", EXE)])
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            file_with(desk, "user", [upload("bien.pdf", PDF), upload("mal.png", HTML)])
        db.session.rollback()
        assert count(Attachment) == 0 and count(Ticket) == 1
    assert stored_files(upload_dir) == []


def test_files_written_in_a_transaction_that_rolls_back_are_deleted(app, desk, upload_dir):
    with app.app_context():
        ticket_id, _, _ = file_with(desk, "user", [])
        [row] = attachments.store(attachments.check_uploads([upload("a.png", PNG)]), db.session.get(Ticket, ticket_id))
        assert stored_files(upload_dir) == [row.stored_name]
        db.session.rollback()
        assert stored_files(upload_dir) == []
        [row] = attachments.store(attachments.check_uploads([upload("b.png", PNG)]), db.session.get(Ticket, ticket_id))
        db.session.commit()
        db.session.rollback()  # a later rollback leaves committed files alone
        assert stored_files(upload_dir) == [row.stored_name]


# --- names and storage -----------------------------------------------------------------------


@pytest.mark.parametrize("given, shown", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\win.ini.txt", "win.ini.txt"),
    ("C:\\Users\\ana\\informe.txt", "informe.txt"),
    ("/var/www/static/x.txt", "x.txt"),
    ("nota\x00.php.txt", "nota.php.txt"),
    ("línea\nnueva\r.txt", "línea nueva .txt"),
    ("factura\u202etxt.exe.txt", "facturatxt.exe.txt"),
    ("..", "file.txt"),
    ("Índice ñ — 2º.txt", "Índice ñ — 2º.txt"),
    ('a<b>c:"d"|e?*.txt', "a_b_c__d__e__.txt"),
])
def test_names_are_shown_sanitised_and_never_used_as_paths(app, desk, upload_dir, given, shown):
    with app.app_context():
        _, _, [attachment_id] = file_with(desk, "user", [upload(given, TEXT)])
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment.original_name == shown
        assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
        assert attachments.file_path(attachment).parent == upload_dir.resolve()
    assert stored_files(upload_dir) == [attachment.stored_name]
    assert not (upload_dir.parent / "etc").exists()


def test_a_path_trick_name_on_an_image_keeps_it_inside_the_upload_folder(app, desk, upload_dir):
    with app.app_context():
        _, _, [attachment_id] = file_with(desk, "user", [upload("..\\..\\win.ini", PNG)])
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment.original_name == "win.ini.png" and attachment.content_type == "image/png"
    assert stored_files(upload_dir) == [attachment.stored_name]


def test_a_very_long_name_is_cut_keeping_its_extension(app, desk):
    with app.app_context():
        [prepared] = attachments.check_uploads([upload("ñ" * 400 + ".pdf", PDF)])
        assert len(prepared.name) <= 150 and prepared.name.endswith("ñ.pdf")


def test_uploads_live_outside_static(app):
    folder = Path(app.config["UPLOAD_DIR"]).resolve()
    assert folder.parent == Path(app.config["INSTANCE_DIR"]).resolve()
    assert Path(app.static_folder).resolve() not in folder.parents


# --- downloads -------------------------------------------------------------------------------


def test_download_headers_keep_the_file_from_running_as_a_page(app, desk, signed_in):
    with app.app_context():
        ticket_id, _, ids = file_with(desk, "user", [upload("foto.png", PNG), upload("Índice ñ.pdf", PDF),
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


def test_only_people_who_may_see_the_ticket_download_its_files(app, desk, signed_in):
    with app.app_context():
        ticket_id, _, [attachment_id] = file_with(desk, "user", [upload("foto.png", PNG)])
        assert db.session.get(Ticket, ticket_id).assignee_id == desk["agent"]
    url = f"/tickets/{ticket_id}/files/{attachment_id}"
    for username in ("user1", "agent1", "admin1"):
        assert signed_in(username).get(url).status_code == 200, username
    for username in ("user2", "agent2", "staff1", "registrar1"):  # agent2 works in another area
        assert signed_in(username).get(url).status_code == 404, username
    response = app.test_client().get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_users_file_is_not_reachable_through_ones_own_ticket(app, desk, signed_in):
    with app.app_context():
        own_ticket, _, _ = file_with(desk, "user", [upload("mia.png", PNG)])
        other_ticket, _, [other_file] = file_with(desk, "user2", [upload("ajena.pdf", PDF)])
    client = signed_in("user1")
    assert client.get(f"/tickets/{own_ticket}/files/{other_file}").status_code == 404
    assert client.get(f"/tickets/{other_ticket}/files/{other_file}").status_code == 404
    assert client.get(f"/tickets/{own_ticket}/files/999999").status_code == 404


def test_an_agent_sees_files_of_unassigned_tickets_of_their_area_only(app, desk, signed_in):
    with app.app_context():
        db.session.get(User, desk["agent"]).available = False  # nobody to assign to: stays unassigned
        db.session.commit()
        ticket_id, _, [attachment_id] = file_with(desk, "user", [upload("foto.png", PNG)])
        assert db.session.get(Ticket, ticket_id).assignee_id is None
    url = f"/tickets/{ticket_id}/files/{attachment_id}"
    assert signed_in("agent1").get(url).status_code == 200
    assert signed_in("agent2").get(url).status_code == 404


def test_files_of_internal_notes_are_for_staff_only(app, desk, signed_in):
    with app.app_context():
        ticket_id, token, _ = file_with(desk, None, [])
        ticket = db.session.get(Ticket, ticket_id)
        agent = db.session.get(User, desk["agent"])
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
        own_ticket, _, _ = file_with(desk, "user", [])
        ticket = db.session.get(Ticket, own_ticket)
        note = tickets.add_comment(ticket, "Nota", db.session.get(User, desk["agent"]), internal=True,
                                   files=[upload("interna.png", PNG)])
        note_file = note.attachments[0].id
    assert signed_in("user1").get(f"/tickets/{own_ticket}/files/{note_file}").status_code == 404
    assert signed_in("agent1").get(f"/tickets/{own_ticket}/files/{note_file}").status_code == 200


def test_the_tracking_link_reaches_only_its_own_tickets_files(app, desk):
    with app.app_context():
        _, token, [own_file] = file_with(desk, None, [upload("foto.png", PNG)])
        _, _, [other_file] = file_with(desk, None, [upload("otra.png", PNG)])
    client = app.test_client()
    assert client.get(f"/soporte/t/{token}/files/{own_file}").data == PNG
    assert client.get(f"/soporte/t/{token}/files/{other_file}").status_code == 404
    assert client.get(f"/soporte/t/{'x' * 40}/files/{own_file}").status_code == 404


def test_a_file_missing_from_disk_is_a_clean_404(app, desk, signed_in, upload_dir):
    with app.app_context():
        ticket_id, token, [attachment_id] = file_with(desk, "user", [upload("foto.png", PNG)])
        attachments.file_path(db.session.get(Attachment, attachment_id)).unlink()
    response = signed_in("user1").get(f"/tickets/{ticket_id}/files/{attachment_id}")
    assert response.status_code == 404
    assert "This file is no longer available." in response.get_data(as_text=True)
    assert app.test_client().get(f"/soporte/t/{token}/files/{attachment_id}").status_code == 404


# --- retention -------------------------------------------------------------------------------


def test_files_of_tickets_closed_longer_than_the_retention_are_removed(app, desk, signed_in, upload_dir):
    now = utcnow()
    with app.app_context():
        admin = db.session.get(User, desk["admin"])
        old_id, _, old_files = file_with(desk, "user", [upload("vieja.png", PNG)], now=now - timedelta(days=10))
        old = db.session.get(Ticket, old_id)
        reply = tickets.add_comment(old, "Listo", admin, files=[upload("cierre.pdf", PDF)],
                                    now=now - timedelta(days=9))
        old_files.append(reply.attachments[0].id)
        tickets.change_status(old, "closed", admin, now=now - timedelta(days=8))
        recent_id, _, [recent_file] = file_with(desk, "user", [upload("reciente.png", PNG)],
                                                now=now - timedelta(days=10))
        tickets.change_status(db.session.get(Ticket, recent_id), "closed", admin, now=now - timedelta(days=6))
        open_id, _, [open_file] = file_with(desk, "user", [upload("abierta.png", PNG)], now=now - timedelta(days=30))
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


def test_removal_works_through_batches(app, desk, upload_dir):
    now = utcnow()
    with app.app_context():
        admin = db.session.get(User, desk["admin"])
        for _ in range(3):
            ticket_id, _, _ = file_with(desk, "user", [upload("a.png", PNG), upload("b.pdf", PDF)],
                                        now=now - timedelta(days=20))
            tickets.change_status(db.session.get(Ticket, ticket_id), "closed", admin, now=now - timedelta(days=10))
        assert attachments.remove_expired_files(now, batch_size=4) == 6
        assert stored_files(upload_dir) == []
        assert db.session.scalar(select(func.count()).where(Attachment.removed_at.is_(None))) == 0
