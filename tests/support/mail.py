"""A real SMTP server for the mail tests, and the `smtp` fixture that starts one (a pytest
plugin, see tests/conftest.py)."""
import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from services.settings import save_settings
from tests.conftest import free_port


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def by_recipient(self):
        received = {}
        for recipients, message in self.messages:
            for recipient in recipients:
                received.setdefault(recipient, []).append(message)
        return received


class SMTPServer:
    """A real SMTP server on 127.0.0.1:port that can be stopped and started again on the same port."""

    def __init__(self, port):
        self.port, self.inbox, self.controller = port, Inbox(), None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None


def point_mail_at(port, **extra):
    save_settings({"mail_server": "127.0.0.1", "mail_port": port, "mail_use_tls": False, "mail_use_ssl": False,
                   "mail_default_sender": "soporte@example.org", **extra}, None)


@pytest.fixture
def smtp(app):
    """An SMTPServer the app's mail settings point at; `smtp.inbox.messages` is what it received."""
    server = SMTPServer(free_port())
    server.start()
    with app.app_context():
        point_mail_at(server.port)
    yield server
    if server.controller is not None:
        server.stop()
