"""Attachments: what is accepted (by content), what is refused, and how files are stored."""
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from extensions import db
from models import Attachment, Ticket, User
from services.errors import ValidationFailed
from services.helpdesk import attachments, tickets
from tests.support.attachments import (ACCEPTED, DOCX, EXE, HTML, MB, PDF, PNG, TEXT, count, file_with, in_english,
                                       office_bytes, set_setting, stored_files, upload)

# --- what is accepted ------------------------------------------------------------------------


@pytest.mark.parametrize("name, data, content_type", ACCEPTED, ids=[row[0] for row in ACCEPTED])
def test_each_accepted_type_is_stored_with_the_type_its_content_has(app, attachment_desk, signed_in, name, data,
                                                                     content_type):
    with app.app_context():
        ticket_id, _, [attachment_id] = file_with(attachment_desk, "user", [upload(name, data)])
        attachment = db.session.get(Attachment, attachment_id)
        assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type, len(data))

    response = signed_in("user1").get(f"/tickets/{ticket_id}/files/{attachment_id}")
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == content_type


def test_filing_through_the_page_stores_the_files(app, attachment_desk, signed_in, upload_dir):
    client = signed_in("user1")
    response = client.post("/tickets/new", data={
        "title": "Pantalla rota", "description": "Adjunto foto y manual.", "category_id": attachment_desk["printer"],
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
    # The mark beside each file is drawn by the page: an emoji is an empty box without an emoji font.
    assert "📎" not in page and page.count('class="attachment-icon"') == 2


def test_a_reply_through_the_page_carries_its_files(app, attachment_desk, signed_in):
    with app.app_context():
        ticket_id, _, _ = file_with(attachment_desk, "user", [])
    response = signed_in("agent1").post(f"/tickets/{ticket_id}/reply", data={
        "body": "Aquí la guía.", "attachments": [(io.BytesIO(PDF), "guía.pdf")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        [attachment] = db.session.scalars(select(Attachment)).all()
        assert attachment.comment_id is not None and attachment.original_name == "guía.pdf"
        attachment_id = attachment.id
    assert signed_in("user1").get(f"/tickets/{ticket_id}/files/{attachment_id}").data == PDF


def test_a_file_whose_name_lies_is_stored_as_what_it_is(app, attachment_desk, signed_in):
    with app.app_context():
        ticket_id, _, [attachment_id] = file_with(attachment_desk, "user", [upload("x.pdf", PNG)])
        attachment = db.session.get(Attachment, attachment_id)
        # The type comes from the bytes; the name gets the true extension so it opens as what it is.
        assert (attachment.content_type, attachment.original_name) == ("image/png", "x.pdf.png")
    response = signed_in("user1").get(f"/tickets/{ticket_id}/files/{attachment_id}")
    assert response.mimetype == "image/png"


def test_the_browsers_content_type_is_ignored(app, attachment_desk):
    with app.app_context():
        file = FileStorage(io.BytesIO(PDF), filename="manual.pdf", content_type="text/html")
        _, _, [attachment_id] = file_with(attachment_desk, "user", [file])
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
def test_a_file_that_is_not_an_accepted_type_is_refused_by_content(app, attachment_desk, name, data):
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            attachments.check_uploads([upload(name, data)])
        assert caught.value.field == "attachments"
        assert f"“{name}”" in in_english(caught.value)


def test_a_docx_named_like_an_image_is_still_a_docx(app, attachment_desk):
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


def test_a_zip_built_to_explode_is_refused_without_extracting_it(app, attachment_desk, monkeypatch):
    monkeypatch.setattr(attachments, "ZIP_MAX_EXPANDED", 2 * MB)  # the real bound, scaled down
    bomb = zip_with([("word/media/bomb.bin", b"\x00" * (3 * MB))])
    assert len(bomb) < 10_000
    swarm = zip_with([(f"word/media/{n}.xml", "") for n in range(attachments.ZIP_MAX_ENTRIES)])
    with app.app_context():
        for name, data in (("bomba.docx", bomb), ("enjambre.docx", swarm)):
            with pytest.raises(ValidationFailed) as caught:
                attachments.check_uploads([upload(name, data)])
            assert f"“{name}” is a damaged or unsafe Office file." == in_english(caught.value)


def test_a_file_over_the_size_setting_is_refused(app, attachment_desk, signed_in, upload_dir):
    with app.app_context():
        set_setting("attachment_max_mb", 1)
    exactly = b"a" * MB
    with app.app_context():
        [prepared] = attachments.check_uploads([upload("justo.txt", exactly)])
        assert prepared.size == MB
    response = signed_in("user1").post("/tickets/new", data={
        "title": "Grande", "description": "Un archivo grande.", "category_id": attachment_desk["printer"],
        "attachments": [(io.BytesIO(exactly + b"a"), "grande.txt")],
    }, content_type="multipart/form-data")
    assert response.status_code in (200, 400)
    assert "“grande.txt” is larger than 1 MB." in response.get_data(as_text=True)
    with app.app_context():
        assert count(Ticket) == 0 and count(Attachment) == 0
    assert stored_files(upload_dir) == []


def test_an_oversized_file_is_not_read_whole(app, attachment_desk):
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
    with app.app_context(), pytest.raises(ValidationFailed):
        attachments.check_uploads([FileStorage(io.BufferedReader(stream), filename="infinito.txt")])
    assert stream.served <= 5 * MB + 1 + io.DEFAULT_BUFFER_SIZE


def test_more_files_than_the_setting_allows_are_refused(app, attachment_desk, signed_in, upload_dir):
    response = signed_in("user1").post("/tickets/new", data={
        "title": "Muchos", "description": "Seis archivos.", "category_id": attachment_desk["printer"],
        "attachments": [(io.BytesIO(PNG), f"foto{n}.png") for n in range(6)],
    }, content_type="multipart/form-data")
    assert "You can attach at most 5 files at a time." in response.get_data(as_text=True)
    with app.app_context():
        assert count(Ticket) == 0 and count(Attachment) == 0
        set_setting("attachment_max_files", 2)
        with pytest.raises(ValidationFailed):
            attachments.check_uploads([upload(f"f{n}.png", PNG) for n in range(3)])
        set_setting("attachment_max_files", 1)
        with app.test_request_context(headers={"Accept-Language": "es"}), pytest.raises(ValidationFailed) as refused:
            attachments.check_uploads([upload(f"f{n}.png", PNG) for n in range(2)])
        assert str(refused.value) == "Puede adjuntar como máximo 1 archivo a la vez."
        set_setting("attachment_max_files", 2)
        assert len(attachments.check_uploads([upload(f"f{n}.png", PNG) for n in range(2)] + [upload("", b"")])) == 2
    assert stored_files(upload_dir) == []


def test_a_rejected_upload_leaves_no_row_and_no_file(app, attachment_desk, upload_dir):
    with app.app_context():
        ticket_id, _, _ = file_with(attachment_desk, "user", [])
        ticket = db.session.get(Ticket, ticket_id)
        with pytest.raises(ValidationFailed):
            tickets.add_comment(ticket, "Dos archivos", db.session.get(User, attachment_desk["user"]),
                                files=[upload("bien.png", PNG), upload("mal.png", EXE)])
        db.session.rollback()
        with pytest.raises(ValidationFailed):
            file_with(attachment_desk, "user", [upload("bien.pdf", PDF), upload("mal.png", HTML)])
        db.session.rollback()
        assert count(Attachment) == 0 and count(Ticket) == 1
    assert stored_files(upload_dir) == []


def test_files_written_in_a_transaction_that_rolls_back_are_deleted(app, attachment_desk, upload_dir):
    with app.app_context():
        ticket_id, _, _ = file_with(attachment_desk, "user", [])
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
def test_names_are_shown_sanitised_and_never_used_as_paths(app, attachment_desk, upload_dir, given, shown):
    with app.app_context():
        _, _, [attachment_id] = file_with(attachment_desk, "user", [upload(given, TEXT)])
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment.original_name == shown
        assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
        assert attachments.file_path(attachment).parent == upload_dir.resolve()
    assert stored_files(upload_dir) == [attachment.stored_name]
    assert not (upload_dir.parent / "etc").exists()


def test_a_path_trick_name_on_an_image_keeps_it_inside_the_upload_folder(app, attachment_desk, upload_dir):
    with app.app_context():
        _, _, [attachment_id] = file_with(attachment_desk, "user", [upload("..\\..\\win.ini", PNG)])
        attachment = db.session.get(Attachment, attachment_id)
        assert attachment.original_name == "win.ini.png" and attachment.content_type == "image/png"
    assert stored_files(upload_dir) == [attachment.stored_name]


def test_a_very_long_name_is_cut_keeping_its_extension(app, attachment_desk):
    with app.app_context():
        [prepared] = attachments.check_uploads([upload("ñ" * 400 + ".pdf", PDF)])
        assert len(prepared.name) <= 150 and prepared.name.endswith("ñ.pdf")


def test_uploads_live_outside_static(app):
    folder = Path(app.config["UPLOAD_DIR"]).resolve()
    assert folder.parent == Path(app.config["INSTANCE_DIR"]).resolve()
    assert Path(app.static_folder).resolve() not in folder.parents
