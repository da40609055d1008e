"""Outgoing mail: the SMTP settings in force and a reachability probe.

The SMTP settings come from the settings table (setup wizard, Settings page) with the MAIL_*
environment as defaults, so an admin can change them without a restart. Messages are sent
outside requests only; nothing here runs inside a web request.
"""
import smtplib
import socket
from dataclasses import dataclass

from services.settings import get_setting


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
        server=get_setting("mail_server"),
        port=int(get_setting("mail_port") or 587),
        username=get_setting("mail_username"),
        password=get_setting("mail_password"),
        use_tls=bool(get_setting("mail_use_tls")),
        use_ssl=bool(get_setting("mail_use_ssl")),
        sender=get_setting("mail_default_sender"),
    )


def probe_smtp(settings, timeout=5):
    """Open an SMTP session (TLS and login included when set) and close it. Returns an error or None."""
    smtp_class = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    try:
        with smtp_class(settings.server, settings.port, timeout=timeout) as smtp:
            smtp.ehlo()
            if settings.use_tls:
                smtp.starttls()
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.noop()
    except (OSError, smtplib.SMTPException, socket.timeout) as error:
        return str(error) or error.__class__.__name__
    return None
