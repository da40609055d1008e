"""The audit trail: one row for every change someone makes, inside the same transaction.

The actor is an account (a User), nobody (None: the system itself, a job), or a person without
an account (an `Outsider`): a requester who filed at /soporte or acts through their ticket's
tracking link, or someone in copy who followed a link in a mail. The trail keeps such a person's
name and how they acted (`actor_via`), so nobody's action reads as the system's."""
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from extensions import db
from models import AuditLog

PAGE_SIZE = 50
NAME_MAX = 120  # AuditLog.actor_name

# How a person without an account acted (AuditLog.actor_via).
VIA_LINK = "link"  # the ticket's secret tracking link
VIA_FORM = "form"  # the public support form (/soporte), filing the ticket
VIA_MAIL = "mail"  # a link in a mail they received (someone in copy leaving it)
VIAS = (VIA_LINK, VIA_FORM, VIA_MAIL)


@dataclass(frozen=True)
class Outsider:
    """A person without an account acting on a ticket, standing where a User would as the actor of
    an audit row or of a notification (which reads `display_name`). Never a recipient: no id."""

    name: str
    via: str = VIA_LINK

    id = None  # no account, so never told of their own action as if they were someone else

    @property
    def display_name(self):
        return self.name


def requester_via_link(ticket):
    """The requester of `ticket` acting through its tracking link (signed in or not: the link is
    the key, the name is the ticket's)."""
    return Outsider(ticket.requester_name, VIA_LINK)


def record(actor, action, entity_type, entity_id=None, before=None, after=None):
    """Add the audit row for a change (not committed here: it goes with the change)."""
    if isinstance(actor, Outsider):
        actor_id, actor_name, actor_via = None, actor.name[:NAME_MAX], actor.via
    else:
        actor_id, actor_name, actor_via = getattr(actor, "id", None), getattr(actor, "username", None), None
    entry = AuditLog(
        actor_id=actor_id,
        actor_name=actor_name,
        actor_via=actor_via,
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
