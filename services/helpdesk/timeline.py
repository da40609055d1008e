"""A ticket's history in order: replies, notes and every change (status, assignee, priority,
category, who is in copy) read from the audit trail. Two queries whatever the length of the
history."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from extensions import db
from models import AuditLog, TicketComment, User

# Audit actions that appear as events; replies and notes appear as themselves.
EVENT_ACTIONS = ("ticket.created", "ticket.status", "ticket.priority", "ticket.assigned", "ticket.edited",
                 "ticket.auto_closed", "ticket.copy_added", "ticket.copy_removed")
COPY_ACTIONS = ("ticket.copy_added", "ticket.copy_removed")
TRACKED = ("status", "assignee", "priority", "category")


@dataclass
class Entry:
    kind: str  # "comment" or "event"
    at: datetime
    comment: TicketComment | None = None
    action: str | None = None
    actor: str | None = None  # None: the system
    changes: list | None = None  # [(field, before, after)]
    actor_via: str | None = None  # how someone without an account acted (audit.VIAS)
    reason: str | None = None  # why a change happened by itself ("requester_replied")
    email: str | None = None  # the address put in copy or taken out of it


def ticket_timeline(ticket, include_internal):
    comments = db.session.scalars(
        select(TicketComment).where(TicketComment.ticket_id == ticket.id)
        .options(selectinload(TicketComment.attachments)).order_by(TicketComment.id))
    entries = [Entry("comment", c.created_at, comment=c) for c in comments if include_internal or not c.internal]
    # Accounts read by their name, as their replies do (the trail keeps the username, which is
    # all that is left once an account is deleted); the join keeps it one query.
    events = db.session.execute(
        select(AuditLog, func.coalesce(func.nullif(User.full_name, ""), User.username))
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(AuditLog.entity_type == "ticket", AuditLog.entity_id == ticket.id, AuditLog.action.in_(EVENT_ACTIONS))
        .order_by(AuditLog.id))
    for event, account_name in events:
        before, after = event.before or {}, event.after or {}
        changes = [(name, before.get(name), after.get(name)) for name in TRACKED
                   if name in after and before.get(name) != after.get(name) and event.action != "ticket.created"]
        if event.action in ("ticket.created", "ticket.edited", *COPY_ACTIONS) or changes:
            entries.append(Entry("event", event.created_at, action=event.action, actor=account_name or event.actor_name,
                                 changes=changes, actor_via=event.actor_via, reason=after.get("reason"),
                                 email=after.get("email") or before.get("email")))
    # Stable: an event and the comment written in the same moment keep their order of writing.
    return sorted(entries, key=lambda entry: entry.at)
