"""Who gets a new ticket: the available agent of its area with the fewest open tickets; on a tie,
the one whose last assignment is oldest (never assigned counts as oldest). Work spreads evenly."""
from sqlalchemy import func, select

from extensions import db
from models import AgentArea, Role, Ticket, TicketStatus, User
from services.timeutil import utcnow


def candidate_agents(area_id, lock=False, exclude_id=None):
    query = (select(User).join(AgentArea, AgentArea.user_id == User.id)
             .where(AgentArea.area_id == area_id, User.role == Role.AGENT, User.active.is_(True),
                    User.available.is_(True))
             .order_by(User.id))
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    if lock:
        # Two tickets filed at once for one area wait for each other here, so both see the
        # other's assignment and the counts stay even.
        query = query.with_for_update(of=User)
    return list(db.session.scalars(query))


def open_ticket_counts(agent_ids):
    rows = db.session.execute(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_(agent_ids), Ticket.status != TicketStatus.CLOSED)
        .group_by(Ticket.assignee_id))
    return dict(rows.all())


def pick_agent(area_id, lock=True, exclude_id=None):
    agents = candidate_agents(area_id, lock=lock, exclude_id=exclude_id)
    if not agents:
        return None
    counts = open_ticket_counts([agent.id for agent in agents])
    never = utcnow().replace(year=1970)
    return min(agents, key=lambda agent: (counts.get(agent.id, 0), agent.last_assigned_at or never, agent.id))


def assign_automatically(ticket, now=None):
    """Assign `ticket` (in the caller's transaction) and return the agent, or None when nobody in
    its area is available: it then stays unassigned and admins see it flagged."""
    agent = pick_agent(ticket.area_id, exclude_id=ticket.requester_id)  # nobody answers their own ticket
    if agent is not None:
        ticket.assignee = agent
        ticket.assignee_id = agent.id
        agent.last_assigned_at = now or utcnow()
    return agent
