"""The audit trail: one row for every change someone makes, inside the same transaction."""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import AuditLog

PAGE_SIZE = 50


def record(actor, action, entity_type, entity_id=None, before=None, after=None):
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        actor_name=getattr(actor, "username", None),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def history(page):
    """One page of the audit log, newest first, with the actors loaded in the same queries."""
    query = select(AuditLog).options(selectinload(AuditLog.actor)).order_by(AuditLog.id.desc())
    return db.paginate(query, page=page, per_page=PAGE_SIZE, error_out=False)
