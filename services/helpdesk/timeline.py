"""A ticket's history in order: replies, notes and every change (status, assignee, priority,
category) read from the audit trail. Two queries whatever the length of the history."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import AuditLog, TicketComment

# Audit actions that appear as events; replies and notes appear as themselves.
EVENT_ACTIONS = ("ticket.created", "ticket.status", "ticket.priority", "ticket.assigned", "ticket.edited",
                 "ticket.auto_closed")
TRACKED = ("status", "assignee", "priority", "category")


@dataclass
class Entry:
    kind: str  # "comment" or "event"
    at: datetime
    comment: TicketComment | None = None
    action: str | None = None
    actor: str | None = None
    changes: list | None = None  # [(field, before, after)]


def ticket_timeline(ticket, include_internal):
    comments = db.session.scalars(
        select(TicketComment).where(TicketComment.ticket_id == ticket.id)
        .options(selectinload(TicketComment.attachments)).order_by(TicketComment.id))
    entries = [Entry("comment", c.created_at, comment=c) for c in comments if include_internal or not c.internal]
    events = db.session.scalars(
        select(AuditLog).where(AuditLog.entity_type == "ticket", AuditLog.entity_id == ticket.id,
                               AuditLog.action.in_(EVENT_ACTIONS)).order_by(AuditLog.id))
    for event in events:
        before, after = event.before or {}, event.after or {}
        changes = [(name, before.get(name), after.get(name)) for name in TRACKED
                   if name in after and before.get(name) != after.get(name) and event.action != "ticket.created"]
        if event.action == "ticket.created" or changes or event.action == "ticket.edited":
            entries.append(Entry("event", event.created_at, action=event.action, actor=event.actor_name,
                                 changes=changes))
    # Stable: an event and the comment written in the same moment keep their order of writing.
    return sorted(entries, key=lambda entry: entry.at)
