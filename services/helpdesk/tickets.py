"""Helpdesk tickets from filing to closing: numbers, status rules, priority, assignment and the
conversation. Each function is one transaction: it checks the rule, writes the change and its
audit row, queues the mail it causes (same transaction), commits, and returns the ticket.

Status: open → in_progress ⇄ on_hold, any of them → closed, closed → open (reopen).

Each change announces itself with a signal (events.py) inside its transaction: mail and the bell
are stored with it, and pages hear of it once it is committed.
"""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as _p
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

import events
from extensions import db, upsert_into
from models import (Attachment, Category, Location, Priority, Role, Sequence, Ticket, TicketComment, TicketStatus, User,
                    valid_id)
from services import audit
from services.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from services.helpdesk import assignment, attachments, sla
from services.helpdesk.access import is_requester, is_staff_for, require_staff
from services.helpdesk.readiness import require_taking_tickets
from services.settings import auto_close_hours, requester_priority
from services.timeutil import utcnow

TRANSITIONS = {
    TicketStatus.OPEN: {TicketStatus.IN_PROGRESS, TicketStatus.CLOSED},
    TicketStatus.IN_PROGRESS: {TicketStatus.ON_HOLD, TicketStatus.CLOSED},
    TicketStatus.ON_HOLD: {TicketStatus.IN_PROGRESS, TicketStatus.CLOSED},
    TicketStatus.CLOSED: {TicketStatus.OPEN},
}
# What a requester may do to their own ticket: close it, or reopen it.
REQUESTER_TRANSITIONS = {TicketStatus.CLOSED, TicketStatus.OPEN}

TITLE_MAX, BODY_MAX, NAME_MAX = 200, 20_000, 120


def status_label(status):
    # "ticket" context: the queue's "On hold" (a parked number) reads differently in Spanish.
    return {
        TicketStatus.OPEN: _p("ticket", "Open"),
        TicketStatus.IN_PROGRESS: _p("ticket", "In progress"),
        TicketStatus.ON_HOLD: _p("ticket", "On hold"),
        TicketStatus.CLOSED: _p("ticket", "Closed"),
    }[TicketStatus(status)]


def next_statuses(ticket, staff):
    """The statuses the ticket may move to now, in their order; a requester's only to close or reopen."""
    allowed = TRANSITIONS[ticket.status] if staff else TRANSITIONS[ticket.status] & REQUESTER_TRANSITIONS
    return sorted(allowed, key=list(TicketStatus).index)


def parse_status(value, field="status"):
    try:
        return TicketStatus(value)
    except ValueError:
        raise ValidationFailed(_l("Unknown status."), field=field) from None


# --- numbers and catalogues ---------------------------------------------------------------


def next_value(name):
    """Increment and return a named sequence in one upsert; its row lock keeps numbers gap-free."""
    table = Sequence.__table__
    upsert = upsert_into(table).values(name=name, last_value=1)
    return db.session.execute(
        upsert.on_conflict_do_update(index_elements=[table.c.name], set_={"last_value": table.c.last_value + 1})
        .returning(table.c.last_value)
    ).scalar_one()


def format_number(value):
    return f"TKT-{value:06d}"


def _active(model, object_id, field, message):
    row = db.session.get(model, object_id) if valid_id(object_id) else None
    if row is None or not getattr(row, "active", True):
        raise ValidationFailed(message, field=field)
    return row


def category_for(category_id):
    category = _active(Category, category_id, "category_id", _l("Choose a category."))
    if not category.area.active:
        raise ValidationFailed(_l("Choose a category."), field="category_id")
    return category


def priority_for(priority_id):
    return _active(Priority, priority_id, "priority_id", _l("Choose a priority."))


def location_for(location_id):
    if location_id in (None, ""):
        return None
    return _active(Location, location_id, "location_id", _l("Choose a location."))


def due_time(start, priority):
    """The priority's resolution hours of working time after `start` (business hours, holidays)."""
    return sla.due_time(start, priority)


def _text(value, field, maximum, message):
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    if len(value) > maximum:
        raise ValidationFailed(_l("At most %(count)d characters.", count=maximum), field=field)
    return value


def _snapshot(ticket):
    return {"status": ticket.status.value, "priority": ticket.priority.code if ticket.priority else None,
            "assignee": ticket.assignee.username if ticket.assignee else None,
            "category": ticket.category.name if ticket.category else None}


def _touch(ticket, now, staff_acted):
    ticket.updated_at = now
    if staff_acted and ticket.first_response_at is None:
        ticket.first_response_at = now


# --- filing -----------------------------------------------------------------------------------


def may_choose_priority(requester):
    """Whether `requester` (None: someone without an account) sets the priority when filing: staff
    always; everyone else when Settings let requesters choose. Otherwise the category decides."""
    staff = requester is not None and requester.role in (Role.ADMIN, Role.AGENT)
    return staff or bool(requester_priority())


def file_ticket(*, title, description, category_id, requester=None, requester_name=None, requester_email=None,
                location_id=None, priority_id=None, files=(), now=None):
    """A new ticket from an account (`requester`) or from someone without one (name and email).
    The priority is the one chosen when `may_choose_priority`, else the category's default."""
    now = now or utcnow()
    require_taking_tickets()
    title = _text(title, "title", TITLE_MAX, _l("Write a short title."))
    description = _text(description, "description", BODY_MAX, _l("Describe the problem."))
    category = category_for(category_id)
    location = location_for(location_id)
    chosen = priority_id and may_choose_priority(requester)
    priority = priority_for(priority_id) if chosen else category.default_priority
    if requester is None:
        requester_name = _text(requester_name, "name", NAME_MAX, _l("Write your name."))
        if not requester_email:
            raise ValidationFailed(_l("Write your email address."), field="email")
    uploads = attachments.check_uploads(files)

    ticket = Ticket(
        number=format_number(next_value("ticket")), title=title, description=description,
        category=category, category_id=category.id, area_id=category.area_id, area=category.area,
        priority=priority, priority_id=priority.id, location=location,
        requester=requester, requester_name=requester.display_name if requester else requester_name,
        requester_email=(requester.email if requester else requester_email),
        status=TicketStatus.OPEN, created_at=now, updated_at=now, due_at=due_time(now, priority),
    )
    db.session.add(ticket)
    db.session.flush()
    attachments.store(uploads, ticket, uploader=requester)
    assignment.assign_automatically(ticket, now)
    # Filed without an account: the trail names the person, not "the system".
    audit.record(requester or audit.Outsider(ticket.requester_name, audit.VIA_FORM), "ticket.created", "ticket",
                 ticket.id, after=_snapshot(ticket))
    events.ticket_filed.send(ticket, by=requester)
    db.session.commit()
    return ticket


# --- changes ----------------------------------------------------------------------------------


def check_status_change(ticket, new_status, actor):
    """The status `actor` may move the ticket to, or the error saying why not (nothing changes)."""
    new_status = parse_status(new_status)
    if actor is not None and not is_staff_for(actor, ticket):
        if not is_requester(actor, ticket):
            raise NotAllowed(_l("Only the agents working on this ticket and admins may do that."))
        if new_status not in REQUESTER_TRANSITIONS:
            raise NotAllowed(_l("You can close or reopen your ticket; agents change the rest."), field="status")
    if new_status not in TRANSITIONS[ticket.status]:
        raise InvalidTransition(
            _l("A ticket that is %(old)s cannot become %(new)s.",
               old=status_label(ticket.status), new=status_label(new_status)), field="status")
    return new_status


def change_status(ticket, new_status, actor, now=None, commit=True):
    """Move the ticket to `new_status` if the rules allow it; closing stamps closed_at and
    reopening clears it. `actor` None is the requester acting through the tracking link, whose
    permission the route has checked (the auto-close job writes its own change)."""
    now = now or utcnow()
    new_status = check_status_change(ticket, new_status, actor)
    staff = is_staff_for(actor, ticket)
    old_status = ticket.status
    before = _snapshot(ticket)
    doer = actor if actor is not None else audit.requester_via_link(ticket)  # who the trail names
    sla.status_changing(ticket, new_status, doer, now)  # on hold and closed stop the due-time clock
    ticket.status = new_status
    ticket.closed_at = now if new_status == TicketStatus.CLOSED else None
    if new_status in (TicketStatus.CLOSED, TicketStatus.OPEN):  # closing or reopening stops the auto-close clock
        ticket.awaiting_requester_since = None
    _touch(ticket, now, staff)
    audit.record(doer, "ticket.status", "ticket", ticket.id, before=before, after=_snapshot(ticket))
    events.ticket_status_changed.send(ticket, by=actor, old_status=old_status, by_staff=staff)
    if commit:
        db.session.commit()
    return ticket


def change_priority(ticket, priority_id, actor, now=None, commit=True):
    """Staff set the priority; the due time follows from the new priority's hours."""
    now = now or utcnow()
    require_staff(actor, ticket)
    priority = priority_for(priority_id)
    if priority.id == ticket.priority_id:
        return ticket
    before = _snapshot(ticket)
    ticket.priority, ticket.priority_id = priority, priority.id
    sla.priority_changed(ticket)  # a new due time, and its warning and escalation afresh
    _touch(ticket, now, staff_acted=False)
    audit.record(actor, "ticket.priority", "ticket", ticket.id, before=before, after=_snapshot(ticket))
    events.ticket_priority_changed.send(ticket, by=actor)
    if commit:
        db.session.commit()
    return ticket


def assignable_agents(area_id=None):
    """Active agents, those of the area first."""
    agents = db.session.scalars(select(User).where(User.role == Role.AGENT, User.active.is_(True))
                                .options(selectinload(User.areas)).order_by(User.full_name, User.username))
    return sorted(agents, key=lambda a: area_id not in {area.id for area in a.areas})


def check_assignment(ticket, assignee_id, actor):
    """The agent (or None) `actor` may assign the ticket to, or the error saying why not.
    Admins assign anyone active; an agent may take an unassigned ticket of their area."""
    taking = (actor.role == Role.AGENT and assignee_id == actor.id and ticket.assignee_id is None
              and is_staff_for(actor, ticket))
    if actor.role != Role.ADMIN and not taking:
        raise NotAllowed(_l("Only admins assign tickets; agents may take unassigned ones of their areas."),
                         field="assignee_id")
    if assignee_id is None:
        return None
    agent = db.session.get(User, assignee_id) if valid_id(assignee_id) else None
    if agent is None or agent.role != Role.AGENT or not agent.active:
        raise ValidationFailed(_l("Choose an active agent."), field="assignee_id")
    return agent


def assign(ticket, assignee_id, actor, now=None, commit=True):
    """Assign, reassign or (None) unassign the ticket."""
    now = now or utcnow()
    agent = check_assignment(ticket, assignee_id, actor)
    if ticket.assignee_id == (agent.id if agent else None):
        return ticket
    before, previous_assignee_id = _snapshot(ticket), ticket.assignee_id
    ticket.assignee, ticket.assignee_id = agent, agent.id if agent else None
    if agent is not None:
        agent.last_assigned_at = now
    _touch(ticket, now, staff_acted=False)
    audit.record(actor, "ticket.assigned", "ticket", ticket.id, before=before, after=_snapshot(ticket))
    events.ticket_assigned.send(ticket, by=actor, previous_assignee_id=previous_assignee_id)
    if commit:
        db.session.commit()
    return ticket


def edit_ticket(ticket, actor, changes, now=None):
    """Several changes at once (the API's PUT): title/description by the requester while the
    ticket is open or by staff; category, priority, location, assignee and status by staff
    (status also by the requester within their rules). Every part is checked first, so a
    refused part changes nothing; then all are applied, each with its audit row, in one commit."""
    now = now or utcnow()
    staff = is_staff_for(actor, ticket)
    if not staff and not is_requester(actor, ticket):
        raise NotFound(_l("This ticket does not exist or is not yours to see."))
    text_changes = {key: changes[key] for key in ("title", "description") if key in changes}
    staff_only = {key for key in ("category_id", "priority_id", "location_id", "assignee_id") if key in changes}
    if staff_only and not staff:
        raise NotAllowed(_l("Only the agents working on this ticket and admins may change %(field)s.",
                            field=sorted(staff_only)[0]), field=sorted(staff_only)[0])
    # Check every part before changing anything, so a refused part leaves the ticket as it was.
    if "priority_id" in changes:
        priority_for(changes["priority_id"])
    if "assignee_id" in changes:
        check_assignment(ticket, changes["assignee_id"], actor)
    status_changes = "status" in changes and parse_status(changes["status"]) != ticket.status
    if status_changes:
        check_status_change(ticket, changes["status"], actor)
    if "category_id" in changes:
        category_for(changes["category_id"])
    if "location_id" in changes:
        location_for(changes["location_id"])
    if "title" in text_changes:
        _text(text_changes["title"], "title", TITLE_MAX, _l("Write a short title."))
    if "description" in text_changes:
        _text(text_changes["description"], "description", BODY_MAX, _l("Describe the problem."))
    edits_content = bool(text_changes) or "category_id" in changes or "location_id" in changes
    if edits_content and ticket.is_closed:
        raise Conflict(_l("This ticket is closed; reopen it first."), field="status")
    if text_changes and not staff and ticket.status != TicketStatus.OPEN:
        raise Conflict(_l("Work on this ticket has started; add a reply instead of editing it."),
                       field=sorted(text_changes)[0])
    if edits_content:
        before, area_id = _snapshot(ticket), ticket.area_id
        before.update({key: getattr(ticket, key) for key in text_changes})
        if "title" in text_changes:
            ticket.title = _text(text_changes["title"], "title", TITLE_MAX, _l("Write a short title."))
        if "description" in text_changes:
            ticket.description = _text(text_changes["description"], "description", BODY_MAX,
                                       _l("Describe the problem."))
        if "category_id" in changes:
            category = category_for(changes["category_id"])
            ticket.category, ticket.category_id = category, category.id
            ticket.area, ticket.area_id = category.area, category.area_id
        if "location_id" in changes:
            location = location_for(changes["location_id"])
            ticket.location, ticket.location_id = location, location.id if location else None
        _touch(ticket, now, staff_acted=False)
        after = _snapshot(ticket)
        after.update({key: getattr(ticket, key) for key in text_changes})
        audit.record(actor, "ticket.edited", "ticket", ticket.id, before=before, after=after)
        events.ticket_edited.send(ticket, by=actor, previous_area_id=area_id)
    if "priority_id" in changes:
        change_priority(ticket, changes["priority_id"], actor, now, commit=False)
    if "assignee_id" in changes:
        assign(ticket, changes["assignee_id"], actor, now, commit=False)
    if status_changes:
        change_status(ticket, changes["status"], actor, now, commit=False)
    db.session.commit()
    return ticket


def delete_ticket(ticket, actor):
    """An explicit admin action: the ticket, its conversation and its files go; the audit keeps a record."""
    if actor.role != Role.ADMIN:
        raise NotAllowed(_l("Only admins delete tickets."))
    names = [attachment.stored_name for attachment in ticket.attachments if attachment.removed_at is None]
    audit.record(actor, "ticket.deleted", "ticket", ticket.id, before=_snapshot(ticket) | {
        "number": ticket.number, "title": ticket.title})
    events.ticket_deleted.send(ticket, by=actor)
    db.session.delete(ticket)
    db.session.commit()
    attachments.delete_files(names)


# --- conversation -------------------------------------------------------------------------------


def resumes_work(ticket, comment):
    """A requester's public reply to a ticket on hold (usually waiting for them) puts it back in
    progress, so it is among its agent's active work again."""
    return not comment.from_staff and not comment.internal and ticket.status == TicketStatus.ON_HOLD


def _resume_after_reply(ticket, author):
    """The status change a requester's reply makes (see `resumes_work`), in the trail with its
    reason, announced like any other (its mail and bell go with the reply's)."""
    before = _snapshot(ticket)
    ticket.status = TicketStatus.IN_PROGRESS
    audit.record(author or audit.requester_via_link(ticket), "ticket.status", "ticket", ticket.id,
                 before=before, after=_snapshot(ticket) | {"reason": "requester_replied"})
    events.ticket_status_changed.send(ticket, by=author, old_status=TicketStatus.ON_HOLD, by_staff=False)


def add_comment(ticket, body, author, *, internal=False, files=(), now=None):
    """A public reply or (staff only) an internal note. `author` None is the anonymous requester
    writing through the tracking link. A staff reply starts the auto-close clock; the requester's
    answer stops it, and puts a ticket on hold back in progress (`resumes_work`)."""
    now = now or utcnow()
    staff = is_staff_for(author, ticket)
    if author is not None and not staff and not is_requester(author, ticket):
        raise NotAllowed(_l("Only the requester, the agents working on this ticket and admins may reply."))
    if internal and not staff:
        raise NotAllowed(_l("Only staff write internal notes."), field="internal")
    if ticket.is_closed:
        raise Conflict(_l("This ticket is closed; reopen it to reply."), field="body")
    uploads = attachments.check_uploads(files)
    body = (body or "").strip()
    if not body and not uploads:
        raise ValidationFailed(_l("Write a message."), field="body")
    if len(body) > BODY_MAX:
        raise ValidationFailed(_l("At most %(count)d characters.", count=BODY_MAX), field="body")

    comment = TicketComment(
        ticket=ticket, author=author, author_name=author.display_name if author else ticket.requester_name,
        internal=internal, from_staff=staff, body=body, created_at=now,
    )
    db.session.add(comment)
    db.session.flush()
    attachments.store(uploads, ticket, comment=comment, uploader=author)
    if not internal:
        ticket.awaiting_requester_since = now if staff else None
        _touch(ticket, now, staff_acted=staff)
    else:
        ticket.updated_at = now
    audit.record(author or audit.requester_via_link(ticket), "ticket.note" if internal else "ticket.reply",
                 "ticket", ticket.id, after={"comment_id": comment.id, "internal": internal})
    resumed = resumes_work(ticket, comment)  # read before the change: the reply's mail says so
    events.reply_added.send(ticket, comment=comment, by_staff=staff)
    if resumed:  # the due-time clock runs again, in the requester's name
        sla.status_changing(ticket, TicketStatus.IN_PROGRESS, author or audit.requester_via_link(ticket), now)
        _resume_after_reply(ticket, author)
    db.session.commit()
    return comment


def with_conversation(ticket):
    """The ticket again, with its catalogue rows, comments and files loaded in three queries,
    not one per comment."""
    return db.session.scalars(
        select(Ticket).where(Ticket.id == ticket.id).execution_options(populate_existing=True).options(
            joinedload(Ticket.category), joinedload(Ticket.area), joinedload(Ticket.priority),
            joinedload(Ticket.location), joinedload(Ticket.assignee),
            selectinload(Ticket.comments).selectinload(TicketComment.attachments), selectinload(Ticket.attachments),
        )).one()


def visible_comments(ticket, include_internal):
    """The conversation in order, authors and files loaded with it (three queries in all)."""
    query = (select(TicketComment).where(TicketComment.ticket_id == ticket.id)
             .options(selectinload(TicketComment.author), selectinload(TicketComment.attachments))
             .order_by(TicketComment.id))
    if not include_internal:
        query = query.where(TicketComment.internal.is_(False))
    return list(db.session.scalars(query))


# --- automation -------------------------------------------------------------------------------


def close_stale_tickets(now=None, batch_size=200):
    """Close tickets whose requester has not answered a staff reply for `auto_close_hours`, with
    a notice to the requester. Returns how many it closed; running it twice closes nothing more."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=int(auto_close_hours()))
    closed = 0
    while True:
        query = (select(Ticket).where(Ticket.status != TicketStatus.CLOSED,
                                      Ticket.awaiting_requester_since.is_not(None),
                                      Ticket.awaiting_requester_since <= cutoff)
                 .order_by(Ticket.id).limit(batch_size).with_for_update(skip_locked=True))
        batch = list(db.session.scalars(query))
        if not batch:
            return closed
        for ticket in batch:
            before, before_status = _snapshot(ticket), ticket.status
            ticket.status, ticket.closed_at, ticket.updated_at = TicketStatus.CLOSED, now, now
            ticket.awaiting_requester_since = None
            audit.record(None, "ticket.auto_closed", "ticket", ticket.id, before=before, after=_snapshot(ticket))
            events.ticket_status_changed.send(ticket, by=None, old_status=before_status, by_staff=False,
                                              automatically=True)
        db.session.commit()
        closed += len(batch)


def attachment_of(ticket, attachment_id, include_internal):
    """An attachment of this ticket whose file is still kept (files of internal notes only for
    staff); NotFound otherwise."""
    attachment = db.session.get(Attachment, attachment_id)
    hidden = attachment is not None and attachment.comment is not None and attachment.comment.internal \
        and not include_internal
    if attachment is None or attachment.ticket_id != ticket.id or attachment.removed_at is not None or hidden:
        raise NotFound(_l("This file does not exist or has been removed."))
    return attachment
