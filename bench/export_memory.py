"""Memory of the ticket exports: flat as the number of tickets grows.

    .venv/bin/python bench/export_memory.py [N ...]       # default 2000 8000

For each N, fills a scratch SQLite database up to N tickets (each with a reply and an internal
note), then builds the xlsx and the csv of all of them twice: once timed, once under tracemalloc
for Python's peak allocation. Prints time and peak per N, and the ratio of peaks.
"""
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extensions import db  # noqa: E402
from models import Role, Ticket, TicketComment, TicketStatus, User  # noqa: E402
from services.helpdesk import exports as ticket_exports  # noqa: E402
from services.helpdesk.queries import TicketFilters  # noqa: E402
from tests.conftest import build_helpdesk, make_app  # noqa: E402

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def memory_check(counts=(2_000, 8_000)):
    """For each N, fills a scratch SQLite database up to N tickets (each with a reply and an
    internal note), then exports the xlsx and csv of all of them twice: once timed, once under
    tracemalloc for Python's peak allocation (tracemalloc slows it down, hence two runs). Flat
    memory means the peak barely moves as N grows: rows are fetched and written in batches,
    never gathered into one list. The database driver's own buffers are not counted.
    """

    def add_tickets(first, last, desk, ids):
        db.session.execute(insert(Ticket), [
            {"number": f"TKT-{n:06d}", "title": f"Ticket número {n} — ñ á € " + "x" * (n % 120),
             "description": "d", "status": TicketStatus.OPEN, "category_id": desk["printer"],
             "area_id": desk["support"], "priority_id": desk["priorities"]["medium"], "requester_id": ids["user"],
             "requester_name": "User Uno", "assignee_id": ids["agent"], "tracking_token": f"token-{n}",
             "created_at": T0 + timedelta(minutes=n), "updated_at": T0 + timedelta(minutes=n),
             "due_at": T0 + timedelta(days=2)}
            for n in range(first, last + 1)])
        new_ids = db.session.scalars(select(Ticket.id).where(Ticket.number >= f"TKT-{first:06d}"))
        db.session.execute(insert(TicketComment), [
            {"ticket_id": ticket_id, "author_id": ids["agent"], "author_name": "Agent Uno", "internal": internal,
             "from_staff": True, "body": ("nota " if internal else "respuesta ") * 20, "created_at": T0}
            for ticket_id in list(new_ids) for internal in (False, True)])
        db.session.commit()

    exports = {
        "xlsx": lambda admin: ticket_exports.xlsx_file(admin, "all", TicketFilters()).close(),
        "csv": lambda admin: sum(len(chunk) for chunk in ticket_exports.csv_chunks(admin, "all", TicketFilters())),
    }
    instance = Path(tempfile.mkdtemp())
    app = make_app(f"sqlite:///{instance / 'memory.db'}", instance)
    peaks = {name: [] for name in exports}
    with app.app_context():
        db.create_all()
        ids = {}
        for role in Role:
            person = User(username=f"{role.value}1", email=f"{role.value}1@example.org", role=role,
                          full_name=f"{role.value.title()} Uno", password_hash="x")
            db.session.add(person)
            db.session.flush()
            ids[role.value] = person.id
        desk = build_helpdesk(ids)
        made = 0
        for count in sorted(counts):
            if count > made:
                add_tickets(made + 1, count, desk, ids)
                made = count
            for name, export in exports.items():
                with app.test_request_context():
                    admin = db.session.get(User, ids["admin"])
                    started = time.perf_counter()
                    export(admin)
                    seconds = time.perf_counter() - started
                    tracemalloc.start()
                    export(admin)
                    peak = tracemalloc.get_traced_memory()[1]
                    tracemalloc.stop()
                peaks[name].append(peak)
                print(f"{name:4} {count:>7} tickets: {seconds:6.1f} s, peak {peak / 2**20:6.1f} MiB", flush=True)
    for name, values in peaks.items():
        print(f"{name}: peak ×{values[-1] / values[0]:.2f} for ×{max(counts) / min(counts):.0f} tickets")


if __name__ == "__main__":
    memory_check(tuple(int(arg) for arg in sys.argv[1:]) or (2_000, 8_000))
