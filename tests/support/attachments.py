"""Files of every kind, built in memory, and the fixtures the attachment tests share (a pytest
plugin, see tests/conftest.py)."""
import io
import zipfile
from pathlib import Path

import pytest
from flask_babel import force_locale
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from extensions import db
from models import AgentArea, Role, Setting, User
from services.helpdesk import tickets
from services.settings import forget_cached
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
def attachment_desk(app, helpdesk, upload_dir):
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
    """signed_in("user2") is a Flask test client signed in as user2."""

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
