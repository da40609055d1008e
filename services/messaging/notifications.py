"""Who hears of a ticket change, by mail and in the bell. It subscribes to the helpdesk's signals
(events.py), which are sent inside the change's transaction, so every message (the outbox) and
notification is stored with the change or not at all (email_manager.enqueue, inbox.notify).

- The requester hears of what staff do (replies, status changes, closing).
- The staff working on the ticket (its assignee; while nobody has it, its area's agents) hear of
  what the requester does: a reply, reopening or closing it.
- Followers (services/helpdesk/watchers.py) hear of all that, and of what other staff do.
- People in copy receive the public replies, and nothing that acts on the ticket.

Nobody is told of what they did themselves, and each person gets one message per change (an
assignee who also follows hears it once). Staff mail is in each recipient's language.
"""
from functools import partial

from sqlalchemy import select

import email_manager
import events
from extensions import db
from models import NotificationKind, Role, TicketStatus, User
from services import audit
from services.helpdesk import watchers
from services.helpdesk.tickets import resumes_work, status_label
from services.messaging import inbox

# Why a staff member receives a ticket's mail (the mail says so, and how to stop).
ASSIGNED, AREA, FOLLOWING = "assigned", "area", "following"


def subscribe():
    """Connect to the helpdesk's signals (connecting twice changes nothing)."""
    events.ticket_filed.connect(on_ticket_filed, weak=False)
    events.ticket_assigned.connect(on_ticket_assigned, weak=False)
    events.ticket_status_changed.connect(on_status_changed, weak=False)
    events.reply_added.connect(on_reply_added, weak=False)
    events.ticket_copy_changed.connect(on_copy_changed, weak=False)


def on_ticket_filed(ticket, by):
    """The requester gets the number and the link; every active admin hears of the new ticket;
    the agent it went to hears it is theirs."""
    _to_requester(ticket, "ticket_filed")
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN, User.active.is_(True),
                                                   User.email.is_not(None)))
    for admin in admins:
        _mail(admin.email, "ticket_new_admin", admin.locale, ticket=ticket, link=staff_link(ticket))
    if ticket.assignee is not None and ticket.assignee_id != (by.id if by else None):
        # Assigned on filing by the desk itself: the bell names nobody.
        _tell_assignee(ticket, by=None)


def on_ticket_assigned(ticket, by, previous_assignee_id):
    if ticket.assignee is not None and ticket.assignee_id != by.id:
        _tell_assignee(ticket, by)


def on_status_changed(ticket, by, old_status, by_staff, automatically=False):
    """The requester hears of what staff or the auto-close did, not of their own clicks; staff
    hear of the requester's, and followers of everyone's."""
    if automatically:
        _closed(ticket, by=None, automatically=True)
    elif by_staff and ticket.status == TicketStatus.CLOSED:
        _closed(ticket, by, automatically=False)
    elif by_staff:
        _to_requester(ticket, "ticket_status", old_status=old_status)
        _bell(ticket.requester_id, NotificationKind.STATUS, ticket, by, status=ticket.status.value,
              old_status=old_status.value)

    actor = None if automatically else (by if by is not None else audit.requester_via_link(ticket))
    if ticket.status == TicketStatus.OPEN:  # reopened, by the requester or by staff
        _tell_staff(ticket, actor, NotificationKind.REOPENED, "ticket_reopened", workers=True)
    elif not by_staff and not automatically and ticket.status == TicketStatus.IN_PROGRESS:
        return  # the requester's reply put it back in progress: its mail says so (on_reply_added)
    else:
        _tell_staff(ticket, actor, NotificationKind.STATUS, "ticket_status_staff",
                    workers=not by_staff and not automatically, old_status=old_status,
                    automatically=automatically,
                    bell={"status": ticket.status.value, "old_status": old_status.value,
                          **({"automatically": True} if automatically else {})})


def on_reply_added(ticket, comment, by_staff):
    """A staff reply reaches the requester; the requester's reaches the staff working on the
    ticket; followers hear of both and of notes; people in copy receive every public reply."""
    mailed = set()
    if by_staff and not comment.internal:
        mailed |= _to_requester(ticket, "ticket_reply", comment=comment)
        _bell(ticket.requester_id, NotificationKind.REPLY, ticket, comment.author, comment_id=comment.id)
    author = comment.author or audit.requester_via_link(ticket)
    mailed |= _tell_staff(ticket, author, NotificationKind.REPLY, "ticket_reply_staff", workers=not by_staff,
                          comment=comment, resumed=resumes_work(ticket, comment),
                          bell={"comment_id": comment.id, **({"internal": True} if comment.internal else {})})
    if not comment.internal:
        own = {(getattr(comment.author, "email", None) or "").lower(), (ticket.requester_email or "").lower()}
        _to_copies(ticket, "ticket_copy_reply", skip=mailed | own, comment=comment)


def on_copy_changed(ticket, email, added, by):
    """Someone put in copy hears it at once (and how to leave); leaving needs no mail."""
    if added:
        _copy_mail(email, ticket, "ticket_copy_added", _locales([email]).get(email), actor_name=by.display_name)


# --- links and recipients ----------------------------------------------------------------------


def requester_link(ticket):
    """Account holders follow their ticket signed in; others through the secret tracking link."""
    if ticket.requester_id is None:
        return email_manager.absolute_url("helpdesk.track", token=ticket.tracking_token)
    return email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=ticket.id)


def staff_link(ticket):
    return email_manager.absolute_url("helpdesk.ticket_detail", ticket_id=ticket.id)


def leave_copy_link(ticket, email):
    return email_manager.absolute_url("helpdesk.leave_copy", token=watchers.leave_token(ticket, email))


def _mail(address, template, locale, **context):
    email_manager.enqueue(address, template, locale=locale, status_label=status_label, **context)


def _to_requester(ticket, template, **context):
    """Mail the requester; returns the addresses mailed (none, or theirs)."""
    if not ticket.requester_email:
        return set()
    locale = ticket.requester.locale if ticket.requester is not None else None
    _mail(ticket.requester_email, template, locale, ticket=ticket, link=requester_link(ticket), **context)
    return {ticket.requester_email.lower()}


def _tell_assignee(ticket, by):
    agent = ticket.assignee
    if agent.email:
        _mail(agent.email, "ticket_assigned", agent.locale, ticket=ticket, link=staff_link(ticket))
    _bell(agent.id, NotificationKind.ASSIGNED, ticket, by)


def _closed(ticket, by, automatically):
    _to_requester(ticket, "ticket_closed", automatically=automatically)
    _bell(ticket.requester_id, NotificationKind.STATUS, ticket, by, status=TicketStatus.CLOSED.value,
          automatically=automatically)


def _bell(recipient_id, kind, ticket, actor, **data):
    if recipient_id is not None and recipient_id != getattr(actor, "id", None):
        inbox.notify(recipient_id, kind, ticket, actor=actor, **data)


def staff_to_tell(ticket, actor, workers):
    """{user id: (User, why)}: with `workers`, those working on the ticket (see watchers.working_on),
    then its followers; one entry per person (an assignee who follows is told as the assignee),
    never `actor`."""
    people = {}
    if workers:
        why = ASSIGNED if ticket.assignee_id is not None else AREA
        people = {person.id: (person, why) for person in watchers.working_on(ticket)}
    for person in watchers.followers_to_tell(ticket):
        people.setdefault(person.id, (person, FOLLOWING))
    people.pop(getattr(actor, "id", None), None)
    return people


def _tell_staff(ticket, actor, kind, template, *, workers, bell=None, **context):
    """Bell and mail (in each one's language) for the staff `staff_to_tell` names. Returns the
    addresses mailed."""
    mailed = set()
    actor_name = actor.display_name if actor is not None else None
    for person, why in staff_to_tell(ticket, actor, workers).values():
        if person.email:
            _mail(person.email, template, person.locale, ticket=ticket, link=staff_link(ticket), reader=person,
                  actor_name=actor_name, why=why, **context)
            mailed.add(person.email.lower())
        inbox.notify(person.id, kind, ticket, actor=actor, **(bell or {}))
    return mailed


def _locales(emails):
    """{email: language} of the addresses that belong to an account; others read the default."""
    if not emails:
        return {}
    return dict(db.session.execute(select(User.email, User.locale).where(User.email.in_(list(emails)))).all())


def _to_copies(ticket, template, skip, **context):
    """Mail everyone in copy but the addresses in `skip` (mailed already, or the author's own)."""
    emails = [copy.email for copy in watchers.copies(ticket) if copy.email not in skip]
    locales = _locales(emails)
    for email in emails:
        _copy_mail(email, ticket, template, locales.get(email), **context)


def _copy_mail(email, ticket, template, locale, **context):
    # Never the tracking link (it would let them act as the requester), not even inside a reply
    # (`hide_tracking_link`, which the template calls with the words in its reader's language).
    _mail(email, template, locale, ticket=ticket, leave_link=leave_copy_link(ticket, email),
          hide_tracking_link=partial(watchers.without_tracking_link, ticket), **context)
