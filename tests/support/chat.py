"""Fixtures of the chat and presence tests (a pytest plugin, see tests/conftest.py)."""
import pytest

from extensions import db
from models import Role, User
from services.helpdesk import tickets
from services.messaging import presence
from tests.conftest import PASSWORD


@pytest.fixture
def instant_presence(app, monkeypatch):
    """Offline is announced at once, and no purge runs unless a test asks for one."""
    monkeypatch.setitem(app.config, "PRESENCE_OFFLINE_GRACE_SECONDS", 0)
    monkeypatch.setattr(presence, "PURGE_EVERY_SECONDS", 10 ** 9)


@pytest.fixture
def chat_desk(helpdesk, data):
    """user1 filed a ticket that went to agent1; agent2 and user2 have nothing to do with it."""
    with data():
        user = db.session.get(User, helpdesk["user"])
        tickets.file_ticket(title="Impresora", description="No imprime", category_id=helpdesk["printer"],
                            requester=user)
        extra = {}
        for username, role in (("agent2", Role.AGENT), ("user2", Role.USER)):
            person = User(username=username, full_name=username.title(), role=role)
            person.set_password(PASSWORD)
            db.session.add(person)
            db.session.flush()
            extra[username] = person.id
        db.session.commit()
    return {**helpdesk, **extra}
