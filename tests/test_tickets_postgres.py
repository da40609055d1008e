"""Helpdesk tickets on PostgreSQL with real threads: numbers unique and gap-free, work spread
evenly when tickets arrive together, and full-text search through the expression index."""
from collections import Counter as Tally
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from extensions import db
from models import AgentArea, Role, Ticket, User
from services.helpdesk import stats as ticket_stats
from services.helpdesk import tickets
from services.helpdesk.queries import TicketFilters, list_tickets
from services.settings import save_settings
from tests.conftest import build_helpdesk
from tests.support.people import make_people
from tests.support.threads import run_in_threads

pytestmark = pytest.mark.postgres


def file_for(desk, requester_id, title="Impresora", category="printer"):
    return tickets.file_ticket(title=title, description="No imprime", category_id=desk[category],
                               requester=db.session.get(User, requester_id))


def test_concurrent_filing_gives_unique_gap_free_numbers(pg_clean):
    with pg_clean.app_context():
        desk = build_helpdesk(make_people())

    def file_many(_index):
        return [file_for(desk, desk["user"]).number for _ in range(10)]

    numbers = [number for batch in run_in_threads(pg_clean, 12, file_many) for number in batch]
    assert sorted(numbers) == [f"TKT-{n:06d}" for n in range(1, 121)]


def test_tickets_filed_together_spread_evenly_over_the_agents(pg_clean):
    with pg_clean.app_context():
        desk = build_helpdesk(make_people())
        for number in range(2, 5):
            agent = User(username=f"agent{number}", role=Role.AGENT, password_hash="-")
            db.session.add(agent)
            db.session.flush()
            db.session.add(AgentArea(user_id=agent.id, area_id=desk["support"]))
        db.session.commit()

    def file_many(_index):
        return [file_for(desk, desk["user"]).assignee_id for _ in range(5)]

    assigned = [agent_id for batch in run_in_threads(pg_clean, 8, file_many) for agent_id in batch]
    # 40 tickets over 4 agents: the row locks make every choice see the previous ones
    assert sorted(Tally(assigned).values()) == [10, 10, 10, 10]


def test_full_text_search_uses_the_index_and_matches_prefixes(pg_clean):
    with pg_clean.app_context():
        desk = build_helpdesk(make_people())
        file_for(desk, desk["user"], title="Impresora del segundo piso atascada")
        file_for(desk, desk["user"], title="Sin conexión a la red", category="network")
        anonymous = tickets.file_ticket(title="Factura", description="Cobro doble", category_id=desk["invoice"],
                                        requester_name="Ana Pérez", requester_email="ana@example.org")
        admin = db.session.get(User, desk["admin"])

        def found(q):
            page = list_tickets(admin, "all", TicketFilters(q=q))
            return {ticket.number for ticket in page.items}

        assert found("impres atasc") == {"TKT-000001"}
        assert found("conexión") == {"TKT-000002"}
        assert found("pérez") == {anonymous.number}
        assert found("TKT-000002") == {"TKT-000002"}
        assert found("3") == {"TKT-000003"}
        assert found("nada parecido") == set()
        indexes = db.session.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'tickets'")).all()
        assert "ix_tickets_search" in indexes
        db.session.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(db.session.scalars(text(
            "EXPLAIN SELECT id FROM tickets WHERE search_vector @@ to_tsquery('simple', 'impres:*')")))
        db.session.rollback()
        assert "ix_tickets_search" in plan
        assert db.session.scalar(select(Ticket.id).where(Ticket.number == "TKT-000001")) is not None


def test_created_and_closed_per_day_count_local_days_on_postgresql(pg_clean):
    with pg_clean.app_context():
        desk = build_helpdesk(make_people())
        save_settings({"timezone": "America/Mexico_City"}, None)  # UTC-6
        now = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
        # 03:00 UTC on the 10th is still the 9th in Mexico City; 07:00 UTC is the 10th
        for hour in (3, 7):
            ticket = file_for(desk, desk["user"])
            ticket.created_at = datetime(2026, 3, 10, hour, 0, tzinfo=UTC)
        db.session.commit()
        rows = ticket_stats.created_and_closed_per_day(db.session.get(User, desk["admin"]), days=2, now=now)
        assert [(day.isoformat(), created) for day, created, _ in rows] == [("2026-03-09", 1), ("2026-03-10", 1)]
