"""Helpdesk ticket rules: numbers, status transitions, priority and due time, visibility,
automatic assignment, the conversation and its timeline."""
from datetime import timedelta

import pytest

from extensions import db
from models import AgentArea, AuditLog, Role, Ticket, TicketStatus, User
from services.errors import Conflict, InvalidTransition, NotAllowed, NotFound, ValidationFailed
from services.helpdesk import assignment, tickets
from services.helpdesk.access import can_see, visible_ticket
from services.helpdesk.timeline import ticket_timeline
from services.timeutil import utcnow


@pytest.fixture
def desk(app_context, helpdesk):
    return helpdesk


def person(role_or_id, ids=None):
    return db.session.get(User, ids[role_or_id] if ids else role_or_id)


def file(desk, requester="user", category="printer", **values):
    values.setdefault("title", "La impresora no imprime")
    values.setdefault("description", "Sale una hoja en blanco.")
    return tickets.file_ticket(category_id=desk[category], requester=person(requester, desk), **values)


def new_agent(desk, username, areas=("support",), available=True):
    agent = User(username=username, email=f"{username}@example.org", role=Role.AGENT, available=available)
    agent.set_password("password123")
    db.session.add(agent)
    db.session.flush()
    for area in areas:
        db.session.add(AgentArea(user_id=agent.id, area_id=desk[area]))
    db.session.commit()
    return agent


# --- filing ---------------------------------------------------------------------------------


def test_numbers_are_sequential_and_formatted(desk):
    numbers = [file(desk).number for _ in range(3)]
    assert numbers == ["TKT-000001", "TKT-000002", "TKT-000003"]


def test_a_new_ticket_takes_area_priority_and_due_time_from_its_category(desk):
    before = utcnow()
    ticket = file(desk, category="network")
    assert ticket.area_id == desk["support"]
    assert ticket.priority.code == "high"
    assert ticket.status == TicketStatus.OPEN
    assert timedelta(hours=24) <= ticket.due_at - before <= timedelta(hours=24, minutes=1)
    assert ticket.requester_email == "user1@example.org"


def test_only_staff_choose_the_priority_when_filing(desk):
    by_user = file(desk, priority_id=desk["priorities"]["critical"])
    assert by_user.priority.code == "medium"
    by_agent = file(desk, requester="agent", priority_id=desk["priorities"]["critical"])
    assert by_agent.priority.code == "critical"


@pytest.mark.parametrize("values, field", [
    ({"title": "  "}, "title"), ({"description": ""}, "description"), ({"title": "x" * 201}, "title"),
])
def test_filing_needs_a_title_and_a_description(desk, values, field):
    with pytest.raises(ValidationFailed) as error:
        file(desk, **values)
    assert error.value.field == field
    assert db.session.query(Ticket).count() == 0


def test_an_unknown_or_inactive_category_is_refused(desk):
    with pytest.raises(ValidationFailed) as error:
        tickets.file_ticket(title="t", description="d", category_id=999, requester=person("user", desk))
    assert error.value.field == "category_id"


def test_anonymous_filing_needs_name_and_email(desk):
    with pytest.raises(ValidationFailed) as error:
        tickets.file_ticket(title="t", description="d", category_id=desk["printer"], requester_email="a@b.org")
    assert error.value.field == "name"
    ticket = tickets.file_ticket(title="t", description="d", category_id=desk["printer"], requester_name="Ana",
                                 requester_email="ana@example.org")
    assert ticket.requester_id is None and ticket.requester_name == "Ana" and ticket.tracking_token


# --- status ---------------------------------------------------------------------------------


def test_the_status_follows_the_allowed_transitions(desk):
    ticket = file(desk)
    agent = person("agent", desk)
    tickets.change_status(ticket, "in_progress", agent)
    tickets.change_status(ticket, "on_hold", agent)
    tickets.change_status(ticket, "in_progress", agent)
    tickets.change_status(ticket, "closed", agent)
    assert ticket.closed_at is not None
    tickets.change_status(ticket, "open", agent)  # reopen
    assert ticket.status == TicketStatus.OPEN and ticket.closed_at is None


@pytest.mark.parametrize("path", [["on_hold"], ["in_progress", "open"], ["closed", "in_progress"]])
def test_a_bad_transition_is_refused_with_a_clear_error(desk, path):
    ticket = file(desk)
    agent = person("agent", desk)
    *steps, bad = path
    for step in steps:
        tickets.change_status(ticket, step, agent)
    with pytest.raises(InvalidTransition) as error:
        tickets.change_status(ticket, bad, agent)
    assert "no puede pasar a" in str(error.value)


def test_unknown_status_is_a_validation_error(desk):
    with pytest.raises(ValidationFailed):
        tickets.change_status(file(desk), "resolved", person("agent", desk))


def test_the_requester_may_close_and_reopen_but_not_work_the_ticket(desk):
    ticket = file(desk)
    user = person("user", desk)
    with pytest.raises(NotAllowed):
        tickets.change_status(ticket, "in_progress", user)
    tickets.change_status(ticket, "closed", user)
    tickets.change_status(ticket, "open", user)
    assert ticket.status == TicketStatus.OPEN


def test_status_changes_are_audited_with_before_and_after(desk):
    ticket = file(desk)
    tickets.change_status(ticket, "in_progress", person("agent", desk))
    row = db.session.query(AuditLog).filter_by(action="ticket.status", entity_id=ticket.id).one()
    assert row.before["status"] == "open" and row.after["status"] == "in_progress"
    assert row.actor_name == "agent1"


def test_first_response_is_the_first_staff_action(desk):
    ticket = file(desk)
    tickets.add_comment(ticket, "¿Sigue pasando?", person("user", desk))
    assert ticket.first_response_at is None
    tickets.add_comment(ticket, "Lo reviso", person("agent", desk))
    assert ticket.first_response_at is not None


# --- priority and assignment ------------------------------------------------------------------


def test_changing_the_priority_moves_the_due_time(desk):
    ticket = file(desk)
    tickets.change_priority(ticket, desk["priorities"]["critical"], person("agent", desk))
    assert ticket.due_at == ticket.created_at + timedelta(hours=8)
    with pytest.raises(NotAllowed):
        tickets.change_priority(ticket, desk["priorities"]["low"], person("user", desk))


def test_admin_assigns_and_reassigns_agents_may_take_unassigned_work(desk):
    ticket = file(desk, category="invoice")  # nobody works in billing: stays unassigned
    assert ticket.assignee_id is None
    agent = person("agent", desk)
    with pytest.raises(NotAllowed):  # not their area
        tickets.assign(ticket, agent.id, agent)
    tickets.assign(ticket, agent.id, person("admin", desk))
    assert ticket.assignee_id == agent.id
    other = new_agent(desk, "agent9", areas=("billing",))
    tickets.assign(ticket, other.id, person("admin", desk))
    assert ticket.assignee_id == other.id
    with pytest.raises(ValidationFailed):
        tickets.assign(ticket, desk["user"], person("admin", desk))  # not an agent
    with pytest.raises(NotAllowed):
        tickets.assign(ticket, other.id, person("user", desk))


def test_new_tickets_spread_evenly_over_available_agents_of_the_area(desk):
    second = new_agent(desk, "agent2")
    third = new_agent(desk, "agent3")
    new_agent(desk, "agent4", available=False)
    new_agent(desk, "agent5", areas=("billing",))
    assigned = [file(desk).assignee_id for _ in range(9)]
    counts = {agent_id: assigned.count(agent_id) for agent_id in set(assigned)}
    assert counts == {desk["agent"]: 3, second.id: 3, third.id: 3}
    # round robin: with equal counts the one assigned longest ago goes next
    assert assigned[:3] == sorted(assigned[:3]) and len(set(assigned[:3])) == 3
    assert assigned[3:6] == assigned[:3]


def test_an_agent_with_fewer_open_tickets_gets_the_next_one(desk):
    second = new_agent(desk, "agent2")
    first_two = [file(desk) for _ in range(4)]
    for ticket in first_two:
        if ticket.assignee_id == desk["agent"]:
            tickets.change_status(ticket, "closed", person("agent", desk))
    assert file(desk).assignee_id == desk["agent"]
    assert file(desk).assignee_id == desk["agent"]
    assert assignment.pick_agent(desk["support"]).id in (desk["agent"], second.id)


def test_without_available_agents_a_ticket_stays_unassigned(desk):
    agent = person("agent", desk)
    agent.available = False
    db.session.commit()
    assert file(desk).assignee_id is None


# --- visibility --------------------------------------------------------------------------------


def test_who_sees_which_ticket(desk):
    mine = file(desk)  # user1's, assigned to agent1
    billing = file(desk, category="invoice")  # user1's, unassigned in billing
    other_agent = new_agent(desk, "agent2", areas=("billing",))
    roles = {role: person(role, desk) for role in ("admin", "agent", "user", "staff", "registrar")}
    assert can_see(roles["user"], mine) and can_see(roles["user"], billing)
    assert can_see(roles["agent"], mine) and not can_see(roles["agent"], billing)
    assert can_see(other_agent, billing) and not can_see(other_agent, mine)
    assert can_see(roles["admin"], mine) and can_see(roles["admin"], billing)
    for role in ("staff", "registrar"):
        assert not can_see(roles[role], mine)
        with pytest.raises(NotFound):
            visible_ticket(mine.id, roles[role])
    with pytest.raises(NotFound):
        visible_ticket(billing.id, roles["agent"])


def test_an_agent_stops_seeing_a_ticket_reassigned_to_someone_else(desk):
    ticket = file(desk)
    other = new_agent(desk, "agent2")
    tickets.assign(ticket, other.id, person("admin", desk))
    assert not can_see(person("agent", desk), ticket)


# --- conversation -------------------------------------------------------------------------------


def test_internal_notes_are_for_staff_only(desk):
    ticket = file(desk)
    with pytest.raises(NotAllowed):
        tickets.add_comment(ticket, "psst", person("user", desk), internal=True)
    tickets.add_comment(ticket, "Revisar el tóner", person("agent", desk), internal=True)
    tickets.add_comment(ticket, "Estamos en ello", person("agent", desk))
    public = [entry.comment.body for entry in ticket_timeline(ticket, include_internal=False)
              if entry.kind == "comment"]
    staff = [entry.comment.body for entry in ticket_timeline(ticket, include_internal=True)
             if entry.kind == "comment"]
    assert public == ["Estamos en ello"]
    assert staff == ["Revisar el tóner", "Estamos en ello"]


def test_strangers_cannot_reply_and_empty_replies_are_refused(desk):
    ticket = file(desk)
    with pytest.raises(NotAllowed):
        tickets.add_comment(ticket, "hola", person("staff", desk))
    with pytest.raises(ValidationFailed) as error:
        tickets.add_comment(ticket, "   ", person("user", desk))
    assert error.value.field == "body"


def test_a_closed_ticket_takes_no_replies_until_reopened(desk):
    ticket = file(desk)
    tickets.change_status(ticket, "closed", person("user", desk))
    with pytest.raises(Conflict):
        tickets.add_comment(ticket, "una cosa más", person("user", desk))


def test_a_staff_reply_starts_the_auto_close_clock_and_the_requester_stops_it(desk):
    ticket = file(desk)
    tickets.add_comment(ticket, "¿Probó reiniciar?", person("agent", desk))
    assert ticket.awaiting_requester_since is not None
    tickets.add_comment(ticket, "Sí, sigue igual", person("user", desk))
    assert ticket.awaiting_requester_since is None
    tickets.add_comment(ticket, "nota", person("agent", desk), internal=True)
    assert ticket.awaiting_requester_since is None  # notes do not count


def test_auto_close_after_the_configured_hours_only(desk):
    ticket = file(desk)
    start = utcnow()
    tickets.add_comment(ticket, "¿Resuelto?", person("agent", desk), now=start)
    assert tickets.close_stale_tickets(start + timedelta(hours=71)) == 0
    assert tickets.close_stale_tickets(start + timedelta(hours=73)) == 1
    assert ticket.status == TicketStatus.CLOSED
    assert tickets.close_stale_tickets(start + timedelta(hours=80)) == 0
    assert db.session.query(AuditLog).filter_by(action="ticket.auto_closed", entity_id=ticket.id).count() == 1


def test_the_timeline_shows_replies_and_changes_in_order(desk):
    ticket = file(desk)
    agent = person("agent", desk)
    tickets.change_status(ticket, "in_progress", agent)
    tickets.add_comment(ticket, "Voy", agent)
    tickets.change_priority(ticket, desk["priorities"]["high"], agent)
    tickets.assign(ticket, None, person("admin", desk))
    entries = ticket_timeline(ticket, include_internal=True)
    kinds = [(entry.kind, entry.action) for entry in entries]
    assert kinds == [("event", "ticket.created"), ("event", "ticket.status"), ("comment", None),
                     ("event", "ticket.priority"), ("event", "ticket.assigned")]
    assert entries[1].changes == [("status", "open", "in_progress")]
    assert entries[4].changes == [("assignee", "agent1", None)]


def test_edit_ticket_applies_several_changes_and_checks_each(desk):
    ticket = file(desk)
    agent = person("agent", desk)
    tickets.edit_ticket(ticket, agent, {"title": "Impresora 2º piso", "priority_id": desk["priorities"]["low"],
                                        "status": "in_progress"})
    assert (ticket.title, ticket.priority.code, ticket.status) == ("Impresora 2º piso", "low",
                                                                  TicketStatus.IN_PROGRESS)
    with pytest.raises(NotAllowed):
        tickets.edit_ticket(ticket, person("user", desk), {"priority_id": desk["priorities"]["high"]})
    with pytest.raises(NotFound):
        tickets.edit_ticket(ticket, person("staff", desk), {"title": "x"})


def test_only_admins_delete_tickets_and_the_audit_keeps_a_record(desk):
    ticket = file(desk)
    ticket_id = ticket.id
    with pytest.raises(NotAllowed):
        tickets.delete_ticket(ticket, person("agent", desk))
    tickets.delete_ticket(ticket, person("admin", desk))
    assert db.session.get(Ticket, ticket_id) is None
    assert db.session.query(AuditLog).filter_by(action="ticket.deleted", entity_id=ticket_id).one().before[
        "number"] == "TKT-000001"


def test_a_refused_part_of_an_edit_changes_nothing(desk):
    ticket = file(desk)
    agent = person("agent", desk)
    with pytest.raises(InvalidTransition):
        tickets.edit_ticket(ticket, agent, {"title": "Nuevo título", "priority_id": desk["priorities"]["low"],
                                            "status": "on_hold"})
    db.session.refresh(ticket)
    assert (ticket.title, ticket.priority.code, ticket.status) == ("La impresora no imprime", "medium",
                                                                  TicketStatus.OPEN)


def test_an_agent_filing_a_ticket_is_not_given_it(desk):
    ticket = file(desk, requester="agent")
    assert ticket.assignee_id is None  # agent1 is the only agent of the area


def test_a_requester_edits_the_text_only_before_work_starts(desk):
    ticket = file(desk)
    tickets.edit_ticket(ticket, person("user", desk), {"description": "Ahora con más detalle"})
    tickets.change_status(ticket, "in_progress", person("agent", desk))
    with pytest.raises(Conflict):
        tickets.edit_ticket(ticket, person("user", desk), {"title": "Otro título"})
