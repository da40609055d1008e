"""The Settings page's "send a test mail": one message sent at once through the server the admin
is setting up, so they learn now, not when the first ticket's mail fails in the outbox, whether
the server, port, encryption and login work.

It is the one mail sent inside a request, on purpose: the admin is waiting for the answer. The
SMTP timeout (MAIL_TIMEOUT) bounds the wait, and every failure comes back as a sentence with the
server's own reply, never as an error page.
"""
import logging
import smtplib
import socket
import ssl
import time
from email.utils import parseaddr

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_mail import BadHeaderError, Message

import email_manager
from services.settings import organisation_name

log = logging.getLogger(__name__)


class MailCheckFailed(Exception):
    """The test mail did not go out; `message` says why in the admin's language."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def mail_settings_from(values):
    """Settings keys and values (the form's `mail_settings()`) as the MailSettings the sender uses."""
    return email_manager.MailSettings(
        server=values["mail_server"], port=int(values["mail_port"]), username=values["mail_username"],
        password=values["mail_password"], use_tls=values["mail_use_tls"], use_ssl=values["mail_use_ssl"],
        sender=values["mail_default_sender"])


def security_label(settings):
    return "SSL/TLS" if settings.use_ssl else "STARTTLS" if settings.use_tls else _l("no encryption")


def send_test_mail(settings, recipient, locale, sent_by):
    """Send the test message to `recipient` through `settings` (email_manager.MailSettings), now.
    Returns nothing when the server accepted it; raises MailCheckFailed otherwise."""
    timeout = current_app.config["MAIL_TIMEOUT"]
    subject, text_body, html_body = email_manager.render(
        "test_mail", locale, server=settings.server, port=settings.port, security=security_label(settings),
        sender=settings.sender, sent_by=sent_by)
    name, address = parseaddr(settings.sender)
    message = Message(subject=subject, recipients=[recipient], body=text_body, html=html_body,
                      sender=(name or organisation_name(), address), date=time.time(),
                      extra_headers={"Auto-Submitted": "auto-generated"})
    try:
        with email_manager.SMTPConnection(settings, timeout) as connection:
            connection.send(message)
    except (OSError, smtplib.SMTPException, BadHeaderError, UnicodeError) as error:
        log.info("test mail to %s through %s:%s failed: %r", recipient, settings.server, settings.port, error)
        raise MailCheckFailed(describe(error, settings, recipient, timeout)) from None
    log.info("test mail sent to %s through %s:%s", recipient, settings.server, settings.port)


def server_reply(error):
    """The SMTP server's own words: its code and text."""
    text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
    return f"{error.smtp_code} {text}".strip()


def describe(error, settings, recipient, timeout):
    """What went wrong, for a person: what the server said, or why it could not be asked."""
    where = {"server": settings.server, "port": settings.port}
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, OSError):
        error = error.__context__  # smtplib words a timeout or a reset as "closed": say what it was
    # Order matters: the SSL and timeout errors are OSErrors too, and the SMTP ones share a base.
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _l("The server refused the username or password: %(reply)s", reply=server_reply(error))
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _l("The server refused the sender address %(address)s: %(reply)s", address=settings.sender,
                  reply=server_reply(error))
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (0, b""))
        reply = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}".strip()
        return _l("The server refused the address %(address)s: %(reply)s", address=recipient, reply=reply)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return _l("The server does not offer STARTTLS on port %(port)d: choose another encryption or port.",
                  port=settings.port)
    if isinstance(error, smtplib.SMTPResponseException):
        return _l("The server answered: %(reply)s", reply=server_reply(error))
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _l("The server %(server)s:%(port)d closed the connection (%(detail)s). Check that the encryption "
                  "matches the port.", detail=str(error) or error.__class__.__name__, **where)
    if isinstance(error, (TimeoutError, socket.timeout)):
        return lazy_ngettext("The server %(server)s:%(port)d did not answer within %(num)d second.",
                             "The server %(server)s:%(port)d did not answer within %(num)d seconds.", timeout, **where)
    if isinstance(error, ssl.SSLCertVerificationError):
        return _l("The server's certificate could not be verified: %(detail)s", detail=error.verify_message or error)
    if isinstance(error, ssl.SSLError):
        return _l("The encrypted connection to %(server)s:%(port)d failed (%(detail)s). Check that the encryption "
                  "matches the port.", detail=error.reason or error, **where)
    if isinstance(error, ConnectionRefusedError):
        return _l("Nothing answers at %(server)s:%(port)d (connection refused): check the server and the port.",
                  **where)
    if isinstance(error, UnicodeError):  # smtplib and flask_mail write the part before the @ in ASCII only
        address = next((a for a in (recipient, parseaddr(settings.sender)[1])
                        if not a.partition("@")[0].isascii()), recipient)
        return _l("The address %(address)s has accented letters or ñ before the @, which mail servers do not "
                  "all accept: write it without them.", address=address)
    if isinstance(error, BadHeaderError):
        return _l("The message could not be written: a line break in the organisation's name or the address.")
    if isinstance(error, socket.gaierror):
        return _l("The server name %(server)s could not be found.", server=settings.server)
    return _l("The server %(server)s:%(port)d could not be reached: %(detail)s",
              detail=str(error) or error.__class__.__name__, **where)
