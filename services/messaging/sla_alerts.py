"""SLA alerts, sent by the `sla_alerts` job (services/jobs.py) every minute: a warning when a
ticket becomes due soon, an escalation when it goes overdue. Each happens once per due time
(Ticket.sla_warned_at / sla_escalated_at; a new due time clears them, see services/helpdesk/sla.py),
with a bell item and a mail in each recipient's language, and an audit row naming who was told.

Who hears:
- **Due soon** (services/helpdesk/sla.py defines it): the assignee. A ticket nobody has yet is
  warned to the available agents of its area, who may take it (any of them may); with none
  available, to every active agent of the area; with no agent in the area, to the admins.
- **Overdue**: the admins, who are the desk's escalation level: the model gives admins every
  area at once (areas are for agents, through AgentArea), so every active admin hears. The
  assignee hears too, so the person doing the work knows the admins now know.
"""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

import email_manager
from extensions import db
from models import AgentArea, NotificationKind, Role, Ticket, User
from services import audit
from services.helpdesk import sla
from services.helpdesk.tickets import status_label
from services.helpdesk.working_time import load_calendar
from services.messaging import inbox
from services.timeutil import utcnow

BATCH_SIZE = 100


def send_sla_alerts(now=None, batch_size=BATCH_SIZE):
    """Warn of the tickets now due soon and escalate the ones now overdue; (warned, escalated).
    Safe to run twice, and from several processes at once (rows are locked, marks checked)."""
    now = now or utcnow()
    warned = _in_batches(sla.to_warn, _warn, now, batch_size)
    escalated = _in_batches(sla.to_escalate, _escalate, now, batch_size)
    return warned, escalated


def _in_batches(find, act, now, batch_size):
    done = 0
    while ids := find(now, batch_size):
        query = (select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.due_at, Ticket.id)
                 .options(joinedload(Ticket.priority), joinedload(Ticket.category), joinedload(Ticket.assignee)))
        for ticket in db.session.scalars(query):
            act(ticket, now)
        db.session.commit()
        done += len(ids)
    return done


def _warn(ticket, now):
    ticket.sla_warned_at = now
    recipients = warning_recipients(ticket)
    left = load_calendar().between(now, ticket.due_at)
    unassigned = ticket.assignee_id is None
    for person in recipients:
        inbox.notify(person.id, NotificationKind.SLA_WARNING, ticket, due_at=ticket.due_at.isoformat(),
                     unassigned=unassigned)
        _mail(person, "sla_warning", ticket, left=left, unassigned=unassigned)
    audit.record(None, "ticket.sla_warned", "ticket", ticket.id,
                 after={"due_at": ticket.due_at.isoformat(), "working_minutes_left": int(left.total_seconds() // 60),
                        "notified": [person.username for person in recipients]})


def _escalate(ticket, now):
    ticket.sla_escalated_at = now
    recipients = escalation_recipients(ticket)
    late = load_calendar().between(ticket.due_at, now)
    for person in recipients:
        inbox.notify(person.id, NotificationKind.SLA_OVERDUE, ticket, due_at=ticket.due_at.isoformat())
        _mail(person, "sla_overdue", ticket, late=late, to_admin=person.role == Role.ADMIN)
    audit.record(None, "ticket.sla_escalated", "ticket", ticket.id,
                 after={"due_at": ticket.due_at.isoformat(), "working_minutes_late": int(late.total_seconds() // 60),
                        "notified": [person.username for person in recipients]})


# --- recipients ---------------------------------------------------------------------------------


def _active(query):
    return list(db.session.scalars(query.where(User.active.is_(True)).order_by(User.id)))


def _admins():
    return _active(select(User).where(User.role == Role.ADMIN))


def warning_recipients(ticket):
    assignee = ticket.assignee
    if assignee is not None and assignee.active:
        return [assignee]
    area_agents = select(User).join(AgentArea, AgentArea.user_id == User.id).where(
        AgentArea.area_id == ticket.area_id, User.role == Role.AGENT)
    return (_active(area_agents.where(User.available.is_(True))) or _active(area_agents) or _admins())


def escalation_recipients(ticket):
    admins = _admins()
    assignee = ticket.assignee
    if assignee is not None and assignee.active and assignee not in admins:
        return [*admins, assignee]
    return admins


def _mail(person, template, ticket, **context):
    if person.email:
        email_manager.enqueue(person.email, template, locale=person.locale, ticket=ticket, person=person,
                              link=email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=ticket.id),
                              working_time=sla.format_working, working_number=sla.leading_number,
                              status_label=status_label, **context)
