"""Files on helpdesk tickets and replies.

An upload is checked in full (count, size, type by content) before anything is written, so a
rejected upload leaves neither a row nor a file. Accepted files are stored under UPLOAD_DIR with
random names; the name the person gave is only shown (page, Content-Disposition), never used as a
path, and the content type comes from the bytes, never from the browser.
"""
import io
import logging
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.security import safe_join

from extensions import db
from models import Attachment, Ticket, TicketStatus
from services.errors import NotFound, ValidationFailed
from services.settings import attachment_max_files, attachment_max_mb, attachment_retention_days
from services.timeutil import utcnow

log = logging.getLogger(__name__)

FIELD = "attachments"
NAME_MAX = 150
# Kind -> (content type, extensions a file of that kind may carry; the first is the one we add).
KINDS = {
    "png": ("image/png", ("png",)),
    "jpg": ("image/jpeg", ("jpg", "jpeg", "jpe", "jfif")),
    "gif": ("image/gif", ("gif",)),
    "webp": ("image/webp", ("webp",)),
    "pdf": ("application/pdf", ("pdf",)),
    "txt": ("text/plain", ("txt",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",)),
}
BY_MIME = {mime: kind for kind, (mime, _) in KINDS.items()}
IMAGE_TYPES = {KINDS[kind][0] for kind in ("png", "jpg", "gif", "webp")}
# The member that makes a zip an Office document of that kind.
OFFICE_MEMBERS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx"}
# Zips are only listed, never extracted; these bounds refuse archives built to explode on opening.
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_EXPANDED = 250 * 1024 * 1024
PENDING_KEY = "attachment_files_written"


@dataclass(frozen=True)
class Upload:
    """A checked file, still only in memory."""

    name: str
    content_type: str
    data: bytes

    @property
    def size(self):
        return len(self.data)


ACCEPTED_TYPES_TEXT = "PNG, JPG, GIF, WebP, PDF, TXT, DOCX, XLSX"


# --- checking -------------------------------------------------------------------------------


def clean_name(raw):
    """A name fit to show and to put in Content-Disposition: no folders, no control or
    direction-changing characters, nothing a desktop refuses in a file name; unicode stays."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"[\t\n\v\f\r]", " ", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # controls, bidi marks, ...
    name = re.sub(r'[<>:"|?*]', "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[:NAME_MAX - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:NAME_MAX].rstrip(" .")
    return name or "file"


def extension(name):
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,5}", ext) else None


def office_kind(data):
    """docx or xlsx when `data` is a zip holding the document's main part; None otherwise.
    Raises ValueError for archives too large when expanded."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return None
    if len(entries) > ZIP_MAX_ENTRIES or sum(entry.file_size for entry in entries) > ZIP_MAX_EXPANDED:
        raise ValueError("zip expands too much")
    names = {entry.filename for entry in entries}
    for member, kind in OFFICE_MEMBERS.items():
        if member in names:
            return kind
    return None


def is_text(data):
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect_kind(data):
    """The kind of file the bytes are, or None when it is not one we accept."""
    if data.startswith(b"PK\x03\x04"):
        return office_kind(data)
    guess = filetype.guess(data)
    if guess is not None:
        return BY_MIME.get(guess.mime)
    return "txt" if is_text(data) else None


def read_limited(file, limit):
    """At most limit + 1 bytes, so an oversized file is never held whole in memory."""
    stream = getattr(file, "stream", file)
    try:
        stream.seek(0)
    except (AttributeError, OSError, ValueError):
        pass
    return stream.read(limit + 1)


def check_uploads(files):
    """Check every file and return them as `Upload`s; ValidationFailed names the first file
    that is refused and why. Nothing is written."""
    files = [file for file in (files or ()) if file is not None and getattr(file, "filename", None)]
    max_files = int(attachment_max_files())
    max_mb = int(attachment_max_mb())
    if len(files) > max_files:
        raise ValidationFailed(ngettext("You can attach at most %(num)d file at a time.",
                                        "You can attach at most %(num)d files at a time.", max_files), field=FIELD)
    limit = max_mb * 1024 * 1024
    uploads = []
    for file in files:
        name = clean_name(file.filename)
        data = read_limited(file, limit)
        if len(data) > limit:
            raise ValidationFailed(_l("“%(name)s” is larger than %(size)d MB.", name=name, size=max_mb),
                                   field=FIELD)
        if not data:
            raise ValidationFailed(_l("“%(name)s” is empty.", name=name), field=FIELD)
        try:
            kind = detect_kind(data)
        except ValueError:
            raise ValidationFailed(_l("“%(name)s” is a damaged or unsafe Office file.", name=name),
                                   field=FIELD) from None
        ext = extension(name)
        # Any UTF-8 is text, so a text file must also say so: HTML renamed to .png is refused.
        if kind is None or (kind == "txt" and ext not in (None, "txt")):
            raise ValidationFailed(
                _l("“%(name)s” is not a file type we accept (%(types)s); its content decides, not its name.",
                   name=name, types=ACCEPTED_TYPES_TEXT), field=FIELD)
        content_type, extensions = KINDS[kind]
        if ext not in extensions:  # the name lies about the content: give it the true extension
            name = clean_name(f"{name}.{extensions[0]}")
        uploads.append(Upload(name=name, content_type=content_type, data=data))
    return uploads


# --- storing -------------------------------------------------------------------------------


def upload_dir():
    """UPLOAD_DIR, created on first use; refuses a folder the static route would serve."""
    folder = Path(current_app.config["UPLOAD_DIR"]).resolve()
    static = Path(current_app.static_folder).resolve() if current_app.static_folder else None
    if static is not None and (folder == static or static in folder.parents):
        raise RuntimeError(f"UPLOAD_DIR must be outside {static}, got {folder}")
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    return folder


def file_path(attachment):
    """Where the attachment's file lives; always inside UPLOAD_DIR."""
    joined = safe_join(str(upload_dir()), attachment.stored_name)
    if joined is None or not attachment.stored_name:
        raise NotFound(_l("This file does not exist or has been removed."))
    return Path(joined)


def write_file(folder, data):
    """Write under a temporary name and rename, so a half-written file never has a real name."""
    stored_name = secrets.token_hex(16)
    temporary = folder / f".{stored_name}.part"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, folder / stored_name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return stored_name


def store(uploads, ticket, comment=None, uploader=None):
    """Write the checked files and add their Attachment rows to the session (the caller commits).
    If the transaction rolls back instead, the files written here are deleted again."""
    if not uploads:
        return []
    folder = upload_dir()
    written, rows = [], []
    try:
        for upload in uploads:
            written.append(write_file(folder, upload.data))
    except BaseException:
        delete_files(written)
        raise
    db.session.info.setdefault(PENDING_KEY, []).extend(folder / name for name in written)
    for upload, stored_name in zip(uploads, written, strict=True):
        row = Attachment(ticket=ticket, comment=comment, original_name=upload.name, stored_name=stored_name,
                         content_type=upload.content_type, size=upload.size,
                         uploaded_by_id=uploader.id if uploader is not None else None)
        db.session.add(row)
        rows.append(row)
    return rows


@event.listens_for(Session, "after_commit")
def _keep_committed_files(session):
    session.info.pop(PENDING_KEY, None)


@event.listens_for(Session, "after_transaction_end")
def _drop_uncommitted_files(session, transaction):
    if transaction.parent is None and PENDING_KEY in session.info:
        for path in session.info.pop(PENDING_KEY):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                log.exception("Could not delete the file of a rolled-back attachment: %s", path)


def delete_files(stored_names, folder=None):
    """Delete stored files by name (missing ones are fine); returns how many were deleted."""
    if not stored_names:
        return 0
    folder = Path(folder) if folder else upload_dir()
    deleted = 0
    for stored_name in stored_names:
        joined = safe_join(str(folder), stored_name) if stored_name else None
        if joined is None:
            continue
        try:
            os.unlink(joined)
            deleted += 1
        except FileNotFoundError:
            pass
        except OSError:
            log.exception("Could not delete attachment file %s", stored_name)
    return deleted


# --- retention -----------------------------------------------------------------------------


def remove_expired_files(now=None, batch_size=200):
    """Delete the files of tickets closed longer than `attachment_retention_days` ago and mark
    their rows removed (the row stays as the record). Returns how many it removed; a second run
    removes nothing more."""
    now = now or utcnow()
    cutoff = now - timedelta(days=int(attachment_retention_days()))
    folder = upload_dir()
    removed = 0
    while True:
        query = (select(Attachment).join(Ticket, Attachment.ticket_id == Ticket.id)
                 .where(Ticket.status == TicketStatus.CLOSED, Ticket.closed_at < cutoff,
                        Attachment.removed_at.is_(None))
                 .order_by(Attachment.id).limit(batch_size).with_for_update(skip_locked=True, of=Attachment))
        batch = list(db.session.scalars(query))
        if not batch:
            return removed
        # Files first: a crash before the commit leaves rows a later run marks, never a lost file.
        delete_files([attachment.stored_name for attachment in batch], folder=folder)
        for attachment in batch:
            attachment.removed_at = now
        db.session.commit()
        removed += len(batch)
