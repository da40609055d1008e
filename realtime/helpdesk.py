"""The live helpdesk: ticket pages, the anonymous tracking page, ticket lists and the dashboard.

Events (server → browser), payloads without content, so a page learns *that* something changed
and refetches what it may see through the same checks as its first load:
- `ticket_changed` {ticket_id, change, rewatch?} to the viewers of one ticket. On "/": staff in
  `ticket:<id>:staff` get every change, requesters in `ticket:<id>:public` all but internal
  notes. On `/track` (the tracking link's page, no account): `ticket:<id>:public` only.
- `tickets_changed` {ticket_id} on "/" to the lists that may show the ticket: `user:<requester>`,
  `user:<assignee>` (before and after a reassignment), `helpdesk:area:<area>` while it is
  unassigned (its agents see it), and `helpdesk:admin`.

Client event: `ticket:watch` {ticket_id} joins the one room of that ticket its sender may see.

Rooms of a connection are decided when it joins; a change of who works on a ticket empties its
staff room and asks the pages left in it to watch again, so nobody keeps hearing notes of a ticket
taken from them. Area membership is read on connect: an agent given a new area hears of it on
their next page load.
"""
from flask_login import current_user
from flask_socketio import join_room, leave_room
from marshmallow import Schema, fields, validate
from sqlalchemy import select

import events
from extensions import after_commit, db, socketio
from models import MAX_ID, AgentArea, Role, Ticket
from realtime.core import connect_hooks, user_room
from realtime.guard import client_event, refuse
from services.errors import NotFound
from services.helpdesk.access import can_see, is_staff_for, ticket_by_token

TRACK = "/track"
HELPDESK_ADMIN = "helpdesk:admin"


def ticket_room(ticket_id, staff):
    return f"ticket:{ticket_id}:{'staff' if staff else 'public'}"


def area_room(area_id):
    return f"helpdesk:area:{area_id}"


# --- joining ----------------------------------------------------------------------------


def join_helpdesk_rooms():
    """On "/" connect: admins hear of every ticket, agents of their areas' unassigned ones."""
    if current_user.role == Role.ADMIN:
        join_room(HELPDESK_ADMIN)
    elif current_user.role == Role.AGENT:
        for area_id in db.session.scalars(select(AgentArea.area_id).where(AgentArea.user_id == current_user.id)):
            join_room(area_room(area_id))


connect_hooks.append(join_helpdesk_rooms)


class WatchSchema(Schema):
    ticket_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=MAX_ID))


@client_event("ticket:watch", WatchSchema(), max_bytes=256)
def watch_ticket(data):
    """Join the ticket's staff room or its public room, whichever the sender may hear; a ticket
    one may not see is refused the same way whether it exists or not."""
    ticket = db.session.get(Ticket, data["ticket_id"])
    if ticket is None or not can_see(current_user, ticket):
        return refuse("ticket:watch", "this ticket does not exist or is not yours to see")
    staff = is_staff_for(current_user, ticket)
    leave_room(ticket_room(ticket.id, not staff))
    join_room(ticket_room(ticket.id, staff))
    return {"ok": True, "ticket_id": ticket.id, "staff": staff}


def on_track_connect(auth=None):
    """The tracking page proves itself with its token (in `auth`, kept out of access logs)."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str) or not token or len(token) > 40:
        raise ConnectionRefusedError("invalid tracking link")
    try:
        ticket = ticket_by_token(token)
    except NotFound:
        raise ConnectionRefusedError("invalid tracking link") from None
    join_room(ticket_room(ticket.id, staff=False))


# --- emitting ---------------------------------------------------------------------------


def subscribe():
    """Hear of every change of a ticket (events.py); tell its viewers and lists once it commits."""
    events.ticket_filed.connect(on_ticket_filed, weak=False)
    events.ticket_assigned.connect(on_ticket_assigned, weak=False)
    events.ticket_status_changed.connect(on_status_changed, weak=False)
    events.ticket_priority_changed.connect(on_priority_changed, weak=False)
    events.ticket_edited.connect(on_ticket_edited, weak=False)
    events.ticket_deleted.connect(on_ticket_deleted, weak=False)
    events.reply_added.connect(on_reply_added, weak=False)


def on_ticket_filed(ticket, by):
    announce(ticket, "created")


def on_ticket_assigned(ticket, by, previous_assignee_id):
    announce(ticket, "assignee", before=audience(ticket.requester_id, previous_assignee_id, ticket.area_id),
             regroup=True)


def on_status_changed(ticket, by, old_status, by_staff, automatically=False):
    announce(ticket, "status")


def on_priority_changed(ticket, by):
    announce(ticket, "priority")


def on_ticket_edited(ticket, by, previous_area_id):
    announce(ticket, "edited", before=audience(ticket.requester_id, ticket.assignee_id, previous_area_id),
             regroup=ticket.area_id != previous_area_id)


def on_ticket_deleted(ticket, by):
    announce(ticket, "deleted")


def on_reply_added(ticket, comment, by_staff):
    announce(ticket, "note" if comment.internal else "reply", internal=comment.internal)


def audience(requester_id, assignee_id, area_id):
    """Who lists a ticket, as plain ids: its requester and assignee, and its area's agents while
    nobody has it."""
    users = {requester_id, assignee_id} - {None}
    areas = {area_id} if assignee_id is None else set()
    return users, areas


def announce(ticket, change, *, before=None, internal=False, regroup=False):
    """Queue the events for a change of `ticket` in the current transaction; they go out once it
    commits. `before` is who listed the ticket before the change (`audience`); `regroup` says who
    works on the ticket may have changed; `internal` keeps requesters from hearing of it."""
    users, areas = audience(ticket.requester_id, ticket.assignee_id, ticket.area_id)
    if before is not None:
        users, areas = users | before[0], areas | before[1]
    if internal and ticket.requester_id != ticket.assignee_id:
        users.discard(ticket.requester_id)
    after_commit(emit_ticket_changed, ticket.id, change, internal=internal, user_ids=sorted(users),
                 area_ids=sorted(areas), regroup=regroup)


def emit_ticket_changed(ticket_id, change, *, internal=False, user_ids=(), area_ids=(), regroup=False):
    payload = {"ticket_id": ticket_id, "change": change}
    staff_room, public_room = ticket_room(ticket_id, True), ticket_room(ticket_id, False)
    socketio.emit("ticket_changed", payload | ({"rewatch": True} if regroup else {}), namespace="/",
                  to=staff_room if internal else [staff_room, public_room])
    if regroup:  # the pages still allowed come back through `ticket:watch`
        socketio.close_room(staff_room, namespace="/")
    if not internal:
        socketio.emit("ticket_changed", payload, namespace=TRACK, to=public_room)
    rooms = [user_room(user_id) for user_id in user_ids] + [area_room(area_id) for area_id in area_ids]
    socketio.emit("tickets_changed", {"ticket_id": ticket_id}, namespace="/", to=rooms + [HELPDESK_ADMIN])


def init_app(app):
    socketio.on_event("ticket:watch", watch_ticket)
    socketio.on_event("connect", on_track_connect, namespace=TRACK)
