"""Who is online, kept in the database so it holds across tabs, server processes and restarts.

- Every open socket of a signed-in person is a row of `socket_connections` (sid, user, process),
  inserted on connect and deleted on disconnect; the page's heartbeat refreshes `seen_at`.
- Someone is online while any of their rows was seen in the last ONLINE_SECONDS: a second tab
  keeps them online when the first closes, and a process that dies without saying goodbye
  stops refreshing its rows, which then simply stop counting and are purged later.
- When someone's last connection goes, `users.last_seen_at` records when.

Contacts hear of each change through `events.presence_changed` (realtime.chat, after commit).
"""
import os
import socket
import time
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update

import events
from extensions import db
from models import SocketConnection, User
from services.timeutil import utcnow

HEARTBEAT_SECONDS = 25  # the browser's `presence:ping` interval (static/js/chat.js)
ONLINE_SECONDS = 60  # a connection not seen for this long no longer counts
PURGE_EVERY_SECONDS = 30  # how often one process looks for stale rows

_last_purge = [0.0]  # monotonic time of this process's last purge


def process_id():
    """host:pid of this server process (read each time: a forked worker has its own pid)."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _fresh_after(now):
    return now - timedelta(seconds=ONLINE_SECONDS)


def online_ids(user_ids, now=None):
    """The subset of `user_ids` with a live connection in any process."""
    user_ids = list(set(user_ids))
    if not user_ids:
        return set()
    query = (select(SocketConnection.user_id).distinct()
             .where(SocketConnection.user_id.in_(user_ids), SocketConnection.seen_at > _fresh_after(now or utcnow())))
    return set(db.session.scalars(query))


def is_online(user_id, now=None):
    return user_id in online_ids([user_id], now)


def presence_payload(user_id, online, last_seen):
    return {"user_id": user_id, "online": online,
            "last_seen": None if online or last_seen is None else last_seen.isoformat()}


def presence_of(user_ids, now=None):
    """{user_id: presence payload} for these people, in two queries."""
    user_ids = list(set(user_ids))
    online = online_ids(user_ids, now)
    last_seen = dict(db.session.execute(select(User.id, User.last_seen_at).where(User.id.in_(user_ids))).all())
    return {uid: presence_payload(uid, uid in online, last_seen.get(uid)) for uid in user_ids if uid in last_seen}


def lock_person(user_id):
    """One connection change per person at a time (PostgreSQL row lock): two tabs closing together
    must not each still see the other's row and leave the person online with no rows at all."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def connected(sid, user_id, now=None):
    """A socket opened: record it; the person's contacts hear they came online."""
    now = now or utcnow()
    lock_person(user_id)
    came_online = not is_online(user_id, now)
    db.session.add(SocketConnection(sid=sid, user_id=user_id, process=process_id(), connected_at=now, seen_at=now))
    if came_online:
        events.presence_changed.send(user_id, online=True, last_seen=None, after_grace=False)
    db.session.commit()
    purge_stale_if_due(now)


def heartbeat(sid, user_id, now=None):
    """The page is still there. A row purged meanwhile (a laptop asleep past ONLINE_SECONDS) comes back."""
    now = now or utcnow()
    result = db.session.execute(update(SocketConnection)
                                .where(SocketConnection.sid == sid, SocketConnection.user_id == user_id)
                                .values(seen_at=now))
    if result.rowcount == 0:
        db.session.rollback()
        return connected(sid, user_id, now)
    db.session.commit()
    purge_stale_if_due(now)


def disconnected(sid, now=None):
    """A socket closed. When it was the person's last one, record when they were last seen and
    tell their contacts (realtime.chat waits a moment first: a page being reloaded or left for
    another page of the site reconnects at once)."""
    now = now or utcnow()
    user_id = db.session.scalar(select(SocketConnection.user_id).where(SocketConnection.sid == sid))
    if user_id is not None:
        lock_person(user_id)
    # A bulk DELETE, so that two callers for one socket (its disconnect and the check after its
    # connect, see realtime.chat) never trip over each other: only one of them deletes the row.
    if user_id is None or not db.session.execute(delete(SocketConnection).where(SocketConnection.sid == sid)).rowcount:
        db.session.rollback()
        return
    if not is_online(user_id, now):
        db.session.execute(update(User).where(User.id == user_id).values(last_seen_at=now))
        events.presence_changed.send(user_id, online=False, last_seen=now, after_grace=True)
    db.session.commit()


def purge_stale_if_due(now=None):
    if time.monotonic() - _last_purge[0] >= PURGE_EVERY_SECONDS:
        _last_purge[0] = time.monotonic()
        purge_stale(now)


def purge_stale(now=None):
    """Delete rows no heartbeat refreshed (their process died or lost the page); people left with
    no live connection were last seen at their last heartbeat, and their contacts hear it.
    Returns the number of rows removed."""
    now = now or utcnow()
    cutoff = _fresh_after(now)
    stale = dict(db.session.execute(select(SocketConnection.user_id, func.max(SocketConnection.seen_at))
                                    .where(SocketConnection.seen_at <= cutoff)
                                    .group_by(SocketConnection.user_id)).all())
    if not stale:
        return 0
    removed = db.session.execute(delete(SocketConnection).where(SocketConnection.seen_at <= cutoff)).rowcount
    still_online = online_ids(stale, now)
    for user_id, last_seen in stale.items():
        if user_id in still_online:
            continue
        db.session.execute(update(User).where(User.id == user_id)
                           .where(or_(User.last_seen_at.is_(None), User.last_seen_at < last_seen))
                           .values(last_seen_at=last_seen))
        events.presence_changed.send(user_id, online=False, last_seen=last_seen, after_grace=False)
    db.session.commit()
    return removed
