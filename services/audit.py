"""The audit trail: one row for every change someone makes, inside the same transaction."""
from extensions import db
from models import AuditLog


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
