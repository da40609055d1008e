"""Outgoing mail through an outbox.

A change that causes mail calls `enqueue` inside its own transaction: the message is rendered
(in the recipient's language) and stored with the change, or not at all. The `send_mail` job
(services/jobs.py) then calls `send_due`, which delivers what is due with Flask-Mail, retries
with backoff and records failures, so a slow or absent SMTP server never touches a web request.

The SMTP settings come from the settings table (setup wizard, Settings page) with the MAIL_*
environment as defaults, so an admin can change them without a restart.
"""
import logging
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_mail import Connection, Message
from markupsafe import Markup
from sqlalchemy import select, update

from extensions import db, mail
from models import OutboxMessage, OutboxStatus
from services.settings import (auto_close_hours, mail_default_sender, mail_password, mail_port, mail_server,
                               mail_use_ssl, mail_use_tls, mail_username, organisation_name, public_url)
from services.timeutil import utcnow
from web.i18n import language_for

log = logging.getLogger(__name__)

BATCH_SIZE = 25
# Retries wait 1, 2, 4 ... minutes, at most two hours apart: about ten hours before giving up.
MAX_ATTEMPTS = 12
RETRY_FIRST = timedelta(minutes=1)
RETRY_LONGEST = timedelta(hours=2)
# A claimed message is left alone by other senders this long; if its sender dies mid-send, it
# becomes due again afterwards. Longer than a batch can take (BATCH_SIZE x the SMTP timeout).
CLAIM_LEASE = timedelta(minutes=15)


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    use_ssl: bool
    sender: str | None


def mail_settings():
    return MailSettings(
        server=mail_server(),
        port=int(mail_port() or 587),
        username=mail_username(),
        password=mail_password(),
        use_tls=bool(mail_use_tls()),
        use_ssl=bool(mail_use_ssl()),
        sender=mail_default_sender(),
    )


def open_smtp(settings, timeout):
    """An SMTP session with TLS (certificate checked) and login as the settings ask."""
    context = ssl.create_default_context()
    if settings.use_ssl:
        smtp = smtplib.SMTP_SSL(settings.server, settings.port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=timeout)
    try:
        smtp.ehlo()
        if settings.use_tls and not settings.use_ssl:
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def probe_smtp(settings, timeout=5):
    """Open an SMTP session (TLS and login included when set) and close it. Returns an error or None."""
    try:
        with open_smtp(settings, timeout) as smtp:
            smtp.noop()
    except (OSError, smtplib.SMTPException) as error:
        return str(error) or error.__class__.__name__
    return None


# --- writing -----------------------------------------------------------------------------------


def enqueue(recipient, template, locale=None, **context):
    """Render templates/email/<template>.{html,txt} in `locale` and add the message to the
    session without committing: the caller's commit stores it together with the change."""
    subject, text_body, html_body = render(template, locale, **context)
    now = utcnow()
    message = OutboxMessage(recipient=recipient, subject=subject[:255], text_body=text_body, html_body=html_body,
                            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)
    db.session.add(message)
    return message


def render(template, locale=None, **context):
    """Subject, text and HTML of a mail. The subject is the `subject` the HTML template sets,
    so every sentence of a mail lives in its templates."""
    locale = language_for(locale)
    context = {"locale": locale, "organisation": organisation_name(), "auto_close_hours": auto_close_hours,
               **context}
    env = current_app.jinja_env
    with force_locale(locale):
        html = env.get_template(f"email/{template}.html").make_module(context)
        # Set in an autoescaped template, so its values come escaped: a header wants the plain text.
        subject = " ".join(Markup(html.subject).unescape().split())
        text_body = env.get_template(f"email/{template}.txt").render(context, subject=subject)
    return subject, text_body.strip() + "\n", str(html)


def absolute_url(endpoint, **values):
    """A link for a mail, on the desk's public address (Settings, or PUBLIC_URL), else the
    server's own. Never the request's Host header: anyone can send one, and a mail to every
    admin must not point at a host a stranger chose."""
    base = urlsplit(public_url() or default_public_url())
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def default_public_url():
    host = current_app.config["HOST"]
    host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://{host}:{current_app.config['PORT']}"


# --- sending -----------------------------------------------------------------------------------


class SendResult(NamedTuple):
    sent: int
    failed: int

    def __str__(self):
        return f"sent {self.sent}, failed {self.failed}"


class SMTPConnection(Connection):
    """Flask-Mail's connection to the settings in force, with a timeout and a checked certificate."""

    def __init__(self, settings, timeout):
        super().__init__(mail.init_mail({
            "MAIL_SERVER": settings.server, "MAIL_PORT": settings.port, "MAIL_USERNAME": settings.username,
            "MAIL_PASSWORD": settings.password, "MAIL_USE_TLS": settings.use_tls,
            "MAIL_USE_SSL": settings.use_ssl, "MAIL_DEFAULT_SENDER": settings.sender,
        }))
        self.settings, self.timeout = settings, timeout

    def configure_host(self):
        return open_smtp(self.settings, self.timeout)

    def __exit__(self, exc_type, exc_value, tb):
        try:
            super().__exit__(exc_type, exc_value, tb)
        except (OSError, smtplib.SMTPException):
            pass  # every message already has its outcome; a failed goodbye changes none


_unconfigured_reported = False


def send_due(now=None, batch=BATCH_SIZE):
    """Deliver the pending messages that are due, at most `batch`. Never raises: a failure is
    recorded on the message and retried later with backoff; after MAX_ATTEMPTS it is FAILED.

    Each message is claimed first (another sender skips it) and marked sent in its own commit
    right after the server accepts it, so none is delivered twice. Only a crash between those two
    steps can repeat one, with the same Message-ID. With no server or sender set, messages wait."""
    now = now or utcnow()
    try:
        return _send_due(now, batch)
    except Exception:
        log.exception("mail: sending stopped")
        db.session.rollback()
        return SendResult(0, 0)


def _send_due(now, batch):
    global _unconfigured_reported
    settings = mail_settings()
    if not (settings.server and settings.sender):
        if not _unconfigured_reported:
            log.warning("mail: no SMTP server or sender address is set; messages wait in the outbox")
            _unconfigured_reported = True
        return SendResult(0, 0)
    _unconfigured_reported = False

    waiting = claim_due(now, batch)
    sent = failed = 0
    try:
        with SMTPConnection(settings, current_app.config["MAIL_TIMEOUT"]) as connection:
            while waiting:
                message = waiting.pop(0)
                try:
                    connection.send(mail_message(message, settings))
                except Exception as error:  # refused, bad header, dropped connection: this message only
                    record_failure(message, error, now)
                    failed += 1
                else:
                    message.status, message.sent_at, message.attempts = OutboxStatus.SENT, now, message.attempts + 1
                    sent += 1
                db.session.commit()
    except (OSError, smtplib.SMTPException) as error:  # no session: the rest of the batch waits its turn
        for message in waiting:
            record_failure(message, error, now)
            failed += 1
        db.session.commit()
    return SendResult(sent, failed)


def claim_due(now, batch):
    """Take up to `batch` due messages in one statement: rows another sender holds are skipped
    (PostgreSQL) and claimed rows stop being due for CLAIM_LEASE, so no two senders share one."""
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(batch)
           .with_for_update(skip_locked=True))
    table = OutboxMessage.__table__
    ids = db.session.scalars(
        update(table)
        .where(table.c.id.in_(due), table.c.status == OutboxStatus.PENDING, table.c.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM_LEASE)
        .returning(table.c.id)
    ).all()
    db.session.commit()
    if not ids:
        return []
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids)).order_by(OutboxMessage.id)
                                   .execution_options(populate_existing=True)))


def mail_message(message, settings):
    name, address = parseaddr(settings.sender)
    sender = (name or organisation_name(), address)
    outgoing = Message(subject=message.subject, recipients=[message.recipient], body=message.text_body,
                       html=message.html_body, sender=sender, date=time.time(),
                       extra_headers={"Auto-Submitted": "auto-generated"})  # RFC 3834: no auto-replies
    # One Message-ID per outbox row, so a repeat (see send_due) is recognisable as the same mail.
    outgoing.msgId = f"<outbox.{message.id}.{int(message.created_at.timestamp())}@{address.rpartition('@')[2]}>"
    return outgoing


def retry_delay(attempts):
    return min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_LONGEST)


def record_failure(message, error, now):
    message.attempts += 1
    message.last_error = (f"{error.__class__.__name__}: {error}")[:2000]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        log.error("mail to %s given up after %d attempts: %s", message.recipient, message.attempts, error)
    else:
        message.next_attempt_at = now + retry_delay(message.attempts)
        log.warning("mail to %s failed (attempt %d), retrying at %s: %s", message.recipient, message.attempts,
                    message.next_attempt_at.isoformat(timespec="seconds"), error)
