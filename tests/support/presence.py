"""Someone signed in with a live page, as presence records it (services/messaging/presence.py):
what makes a counter's staff count as at their counter for the queue's estimates."""
import secrets

from extensions import db
from models import SocketConnection
from services.timeutil import utcnow


def online(user_id, now=None):
    """A live connection of `user_id`, seen `now` (committed)."""
    now = now or utcnow()
    db.session.add(SocketConnection(sid=secrets.token_hex(8), user_id=user_id, process="tests", connected_at=now,
                                    seen_at=now))
    db.session.commit()
