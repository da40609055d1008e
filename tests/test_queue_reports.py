"""Queue dashboard and exports: figures computed in SQL, live JSON, CSV and Excel read back.

A busy day is built through services/queue.py with explicit times, so every duration is known:

  service A (counter "Módulo 1", Ana):  ten served tickets, the i-th issued at 09:00 + 15 min × (i-1),
      waiting 30·i s and served for 60·i s (odd ones pressed "start service" 15 s after the call);
      one no-show (12:00, called after 60 s) and one still waiting (12:10).
  service B (counter "Módulo 2", Beto): B-001 at 09:30 waits 120 s, served 240 s;
      B-002 (priority) at 10:00 waits 600 s, served 60 s.
  The day before: one served ticket of A, which a one-day report must leave out.
"""
import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl import load_workbook

from extensions import db, socketio
from models import Counter, CounterService, QueueTicket, Role, Service, Setting, User
from services.queue import line as queue
from services.queue.exports import csv_chunks
from services.queue.stats import ReportFilter, dashboard_stats
from tests.support.queries import statements_on
from tests.support.queue_history import BETO, MARIA, build_queue_history

TZ = ZoneInfo("America/Mexico_City")
DAY = date(2024, 5, 6)
DAY_QUERY = "start=2024-05-06&end=2024-05-06"
NO_DURATION = {"count": 0, "average": None, "p90": None}


def at(hour, minute=0, second=0, day=DAY):
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


def serve(service, counter, staff, issued, wait, served_for=None, start_delay=None, no_show=False,
          priority=None):
    """Issue a ticket, call it after `wait` seconds, then finish it (or mark it a no-show)."""
    ticket = queue.issue_ticket(service, priority, now=issued)
    called = issued + timedelta(seconds=wait)
    assert queue.call_next(counter, staff, now=called).id == ticket.id
    if no_show:
        queue.mark_no_show(ticket, counter, staff, now=called + timedelta(minutes=2))
        return
    started = called
    if start_delay is not None:
        started = called + timedelta(seconds=start_delay)
        queue.start_service(ticket, counter, staff, now=started)
    queue.finish(ticket, counter, staff, now=started + timedelta(seconds=served_for))


def add_staff(username, full_name, counter):
    user = User(username=username, full_name=full_name, role=Role.STAFF, counter=counter)
    user.set_password("password123")
    db.session.add(user)
    return user


def build_busy_day():
    """The day described at the top of this file. Call inside an app context."""
    db.session.add(Setting(key="timezone", value="America/Mexico_City"))
    general = Service(name="General", prefix="A", color="#0d6efd", position=0)
    cashier = Service(name="Caja", prefix="B", color="#198754", position=1)
    desk_a = Counter(name="Módulo 1", service_links=[CounterService(service=general)])
    desk_b = Counter(name="Módulo 2", service_links=[CounterService(service=cashier)])
    db.session.add_all([general, cashier, desk_a, desk_b])
    ana = add_staff("ana", "Ana Uno", desk_a)
    beto = add_staff("beto", "Beto Dos", desk_b)
    db.session.commit()

    serve(general, desk_a, ana, at(9, day=DAY - timedelta(days=1)), 1000, 1000)
    for i in range(1, 11):
        serve(general, desk_a, ana, at(9) + timedelta(minutes=15 * (i - 1)), 30 * i, 60 * i,
              start_delay=15 if i % 2 else None)
    serve(general, desk_a, ana, at(12), 60, no_show=True)
    serve(cashier, desk_b, beto, at(9, 30), 120, 240, start_delay=30)
    serve(cashier, desk_b, beto, at(10), 600, 60, priority="elderly")
    queue.issue_ticket(general, now=at(12, 10))  # still waiting
    return {"A": general.id, "B": cashier.id}


@pytest.fixture
def busy_day(app, users):
    with app.app_context():
        return build_busy_day()


def english(client):
    """Headers and messages in English, whatever the catalog holds."""
    client.post("/language", data={"locale": "en"})
    return client


# --- the figures -----------------------------------------------------------------------------------

EXPECTED_TOTALS = {
    "issued": 14, "waiting": 1, "served": 12, "no_show": 1,
    "waiting_time": {"count": 13, "average": 186.9, "p90": 300.0},
    "service_time": {"count": 12, "average": 300.0, "p90": 540.0},
}
EXPECTED_A = {"waiting_time": {"count": 11, "average": 155.5, "p90": 270.0},
              "service_time": {"count": 10, "average": 330.0, "p90": 540.0}}
EXPECTED_B = {"waiting_time": {"count": 2, "average": 360.0, "p90": 600.0},
              "service_time": {"count": 2, "average": 150.0, "p90": 240.0}}


def check_busy_day_stats(stats):
    assert stats["totals"] == EXPECTED_TOTALS
    assert stats["services"] == [
        {"id": stats["services"][0]["id"], "name": "General", "prefix": "A", "color": "#0d6efd",
         "issued": 12, "waiting": 1, "served": 10, "no_show": 1, **EXPECTED_A},
        {"id": stats["services"][1]["id"], "name": "Caja", "prefix": "B", "color": "#198754",
         "issued": 2, "waiting": 0, "served": 2, "no_show": 0, **EXPECTED_B},
    ]
    assert [{k: v for k, v in row.items() if k != "id"} for row in stats["staff"]] == [
        {"name": "Ana Uno", "called": 11, "served": 10, **EXPECTED_A},
        {"name": "Beto Dos", "called": 2, "served": 2, **EXPECTED_B},
    ]
    hours = [0] * 24
    hours[9], hours[10], hours[11], hours[12] = 5, 5, 2, 2
    assert stats["hours"] == hours


def test_stats_json_gives_exact_counts_averages_and_p90(admin_client, busy_day):
    response = admin_client.get(f"/admin/stats.json?{DAY_QUERY}")
    assert response.status_code == 200
    check_busy_day_stats(response.json)
    assert response.json["range"] == {"start": "2024-05-06", "end": "2024-05-06", "all_history": False,
                                      "service_id": None, "timezone": "America/Mexico_City"}


def test_a_range_of_days_and_a_service_filter(admin_client, busy_day):
    two_days = admin_client.get("/admin/stats.json?start=2024-05-05&end=2024-05-06").json
    assert two_days["totals"]["issued"] == 15 and two_days["totals"]["served"] == 13
    assert two_days["hours"][9] == 6

    only_b = admin_client.get(f"/admin/stats.json?{DAY_QUERY}&service={busy_day['B']}").json
    assert {k: only_b["totals"][k] for k in ("issued", "waiting", "served", "no_show")} == {
        "issued": 2, "waiting": 0, "served": 2, "no_show": 0}
    assert only_b["totals"]["waiting_time"] == EXPECTED_B["waiting_time"]
    assert [s["prefix"] for s in only_b["services"]] == ["B"]
    assert [s["name"] for s in only_b["staff"]] == ["Beto Dos"]


def test_an_empty_day_lists_active_services_with_zeros(admin_client, busy_day):
    stats = admin_client.get("/admin/stats.json?start=2024-06-01").json
    assert stats["totals"] == {"issued": 0, "waiting": 0, "served": 0, "no_show": 0,
                               "waiting_time": NO_DURATION, "service_time": NO_DURATION}
    assert [(s["prefix"], s["issued"]) for s in stats["services"]] == [("A", 0), ("B", 0)]
    assert stats["staff"] == [] and stats["hours"] == [0] * 24


def test_days_and_hours_follow_the_organisations_clock(app, admin_client, users):
    with app.app_context():
        db.session.add(Setting(key="timezone", value="America/Mexico_City"))
        service = Service(name="General", prefix="A")
        db.session.add(service)
        db.session.commit()
        queue.issue_ticket(service, now=at(23, 30))  # 05:30 UTC the next day
        queue.issue_ticket(service, now=at(0, 30, day=DAY + timedelta(days=1)))
    stats = admin_client.get(f"/admin/stats.json?{DAY_QUERY}").json
    assert stats["totals"]["issued"] == 1
    assert stats["hours"][23] == 1 and sum(stats["hours"]) == 1


def test_today_is_the_default(app, admin_client, users):
    with app.app_context():
        service = Service(name="General", prefix="A")
        db.session.add(service)
        db.session.commit()
        queue.issue_ticket(service)
        today = queue.local_today().isoformat()
    stats = admin_client.get("/admin/stats.json").json
    assert stats["range"]["start"] == stats["range"]["end"] == today
    assert stats["totals"]["issued"] == stats["totals"]["waiting"] == 1


def test_the_figures_take_a_fixed_number_of_queries(app, busy_day):
    """Aggregated in SQL: a busy day costs the same queries as an empty one."""

    def queries_for(day):
        with app.app_context(), statements_on(db.engine) as statements:  # this thread's only
            dashboard_stats(ReportFilter(day, day))
        return statements

    busy, empty = queries_for(DAY), queries_for(date(2024, 6, 1))
    assert len(busy) == len(empty) <= 8
    assert not any("queue_tickets.token" in sql for sql in busy)  # never whole ticket rows


# --- transfers and the whole history (tests/support/queue_history.py) -------------------------------------


@pytest.fixture
def history(app, users):
    with app.app_context():
        return build_queue_history()


def durations(wait_count, wait_average, service_count, service_average):
    def one(count, average):
        return {"count": count, "average": average, "p90": average} if count else NO_DURATION
    return {"waiting_time": one(wait_count, wait_average), "service_time": one(service_count, service_average)}


def counts(row):
    return {key: row[key] for key in ("issued", "waiting", "served", "no_show")}


def test_a_transferred_ticket_counts_as_issued_for_its_first_service(admin_client, history):
    """TRC-1234 was issued for Trámites, waited there, and was served at Caja after a transfer."""
    stats = admin_client.get(f"/admin/stats.json?{DAY_QUERY}").json
    assert counts(stats["totals"]) == {"issued": 3, "waiting": 1, "served": 1, "no_show": 1}
    procedures, cashier = stats["services"]
    assert counts(procedures) == {"issued": 2, "waiting": 0, "served": 0, "no_show": 1}
    assert counts(cashier) == {"issued": 1, "waiting": 1, "served": 1, "no_show": 0}
    # The wait belongs to the line it was issued for; the service time, from Caja's call, to Caja.
    assert {k: procedures[k] for k in ("waiting_time", "service_time")} == durations(2, 300.0, 0, None)
    assert {k: cashier[k] for k in ("waiting_time", "service_time")} == durations(0, None, 1, 240.0)
    staff = {row["name"]: row for row in stats["staff"]}
    assert {k: staff[BETO][k] for k in ("called", "served")} == {"called": 1, "served": 1}
    assert {k: staff[BETO][k] for k in ("waiting_time", "service_time")} == durations(0, None, 1, 240.0)
    assert {k: staff[MARIA][k] for k in ("called", "served")} == {"called": 1, "served": 0}
    assert {k: staff[MARIA][k] for k in ("waiting_time", "service_time")} == durations(1, 300.0, 0, None)
    assert stats["hours"][9] == 3 and sum(stats["hours"]) == 3


def test_one_services_report_takes_each_figure_from_its_own_column(admin_client, history):
    procedures = admin_client.get(f"/admin/stats.json?{DAY_QUERY}&service={history['TRC']}").json
    assert counts(procedures["totals"]) == {"issued": 2, "waiting": 0, "served": 0, "no_show": 1}
    assert procedures["totals"]["waiting_time"]["count"] == 2 and procedures["totals"]["service_time"] == NO_DURATION
    assert [s["prefix"] for s in procedures["services"]] == ["TRC"]
    assert [s["name"] for s in procedures["staff"]] == [MARIA]
    assert sum(procedures["hours"]) == 2

    cashier = admin_client.get(f"/admin/stats.json?{DAY_QUERY}&service={history['CAJ']}").json
    assert counts(cashier["totals"]) == {"issued": 1, "waiting": 1, "served": 1, "no_show": 0}
    assert cashier["totals"]["waiting_time"] == NO_DURATION
    assert cashier["totals"]["service_time"] == {"count": 1, "average": 240.0, "p90": 240.0}
    assert [s["name"] for s in cashier["staff"]] == [BETO]
    assert sum(cashier["hours"]) == 1


def test_the_whole_history(admin_client, history):
    stats = admin_client.get("/admin/stats.json?all_history=y&start=2024-05-06").json  # the dates step aside
    assert stats["range"] == {"start": None, "end": None, "all_history": True, "service_id": None,
                              "timezone": "America/Mexico_City"}
    assert counts(stats["totals"]) == {"issued": 5, "waiting": 1, "served": 3, "no_show": 1}
    assert [(s["prefix"], s["issued"], s["served"]) for s in stats["services"]] == [("TRC", 3, 1), ("CAJ", 2, 2)]
    assert stats["hours"][9] == 3 and stats["hours"][10] == 1 and stats["hours"][11] == 1

    only_cashier = admin_client.get(f"/admin/stats.json?all_history=y&service={history['CAJ']}").json
    assert counts(only_cashier["totals"]) == {"issued": 2, "waiting": 1, "served": 2, "no_show": 0}


def test_the_page_offers_the_whole_history(admin_client, history):
    html = english(admin_client).get("/admin?all_history=y").get_data(as_text=True)
    assert 'id="all_history"' in html and 'checked' in html and "All history" in html
    assert 'data-stat="issued">5<' in html
    assert 'href="/admin/exports/queue-tickets.csv?all_history=y"' in html
    assert 'href="/admin/exports/queue-tickets.xlsx?all_history=y"' in html
    assert 'data-stats-url="/admin/stats.json?all_history=y"' in html
    assert 'id="start" name="start" type="date" value=""' in html  # no dates apply


def test_the_page_shows_the_figures_charts_and_export_links(admin_client, busy_day):
    html = admin_client.get(f"/admin?{DAY_QUERY}").get_data(as_text=True)
    assert 'data-stat="issued">14<' in html
    assert 'data-stat="waiting">1<' in html
    assert 'data-stat="served">12<' in html
    assert 'data-stat="no_show">1<' in html
    assert 'data-stat="waiting_time.average" data-format="duration">3:07<' in html  # 186.9 s
    assert 'data-stat="waiting_time.p90" data-format="duration">5:00<' in html
    assert 'data-stat="service_time.average" data-format="duration">5:00<' in html
    assert 'data-stat="service_time.p90" data-format="duration">9:00<' in html
    assert "<td>A · General</td>" in html and "2:36" in html and "4:30" in html  # A: 155.5 s, 270 s
    assert "<td>Beto Dos</td>" in html
    assert 'id="chart-services"' in html and 'id="chart-hours"' in html
    assert "/static/js/dashboard.js" in html and "chart.umd.min.js" in html
    assert 'data-stats-url="/admin/stats.json?start=2024-05-06&amp;end=2024-05-06"' in html
    assert 'href="/admin/exports/queue-tickets.csv?start=2024-05-06&amp;end=2024-05-06"' in html
    assert 'href="/admin/exports/queue-tickets.xlsx?start=2024-05-06&amp;end=2024-05-06"' in html
    assert "<script>" not in html and "style=" not in html  # the CSP allows neither


def test_admin_home_is_the_dashboard_for_today(app, admin_client, busy_day):
    response = admin_client.get("/admin")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="queue-dashboard"' in html
    with app.app_context():
        today = queue.local_today().isoformat()
    assert html.count(f'value="{today}"') == 2  # the filter shows the day it reports on


# --- bad parameters -----------------------------------------------------------------------------------


@pytest.mark.parametrize("query, field", [
    ("start=2024-13-01", "start"),
    ("start=yesterday", "start"),
    ("start=2024-05-06&end=2024-05-01", "end"),
    ("service=999", "service"),
    ("service=abc", "service"),
])
def test_bad_parameters_get_a_400_naming_the_field(admin_client, busy_day, query, field):
    response = admin_client.get(f"/admin/stats.json?{query}")
    assert response.status_code == 400
    assert response.json["error"] == "validation_error" and field in response.json["fields"]


def test_a_bad_date_is_a_form_error_on_the_page(admin_client, busy_day):
    client = english(admin_client)
    response = client.get("/admin?start=2024-02-30")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "is-invalid" in html and "Write the date as YYYY-MM-DD" in html
    assert 'id="queue-dashboard"' not in html

    response = client.get("/admin?start=2024-05-06&end=2024-05-01")
    assert response.status_code == 400 and "The end date is before the start date." in response.get_data(as_text=True)
    assert client.get("/admin/exports/queue-tickets.csv?start=nope").status_code == 400
    assert client.get("/admin/exports/queue-tickets.xlsx?service=999").status_code == 400


# --- exports ----------------------------------------------------------------------------------------------

HEADER = ["Code", "Issued for", "Service", "Priority", "Status", "Issued at", "Called at", "Service started at",
          "Finished at", "Counter", "Staff", "Waiting seconds", "Service seconds"]


def test_csv_export_streams_every_ticket_of_the_range(admin_client, busy_day):
    response = english(admin_client).get(f"/admin/exports/queue-tickets.csv?{DAY_QUERY}")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="queue-tickets-2024-05-06.csv"'
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert len(rows) == 15
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["A-001"] == ["A-001", "General", "General", "", "served", "2024-05-06 09:00:00",
                                "2024-05-06 09:00:30", "2024-05-06 09:00:45", "2024-05-06 09:01:45", "Módulo 1",
                                "Ana Uno", "30", "60"]
    assert by_code["A-002"][7:9] == ["", "2024-05-06 09:18:00"]  # no "start": service time runs from the call
    assert by_code["A-011"][4:] == ["no-show", "2024-05-06 12:00:00", "2024-05-06 12:01:00", "",
                                    "2024-05-06 12:03:00", "Módulo 1", "Ana Uno", "60", ""]
    assert by_code["A-012"][4:] == ["waiting", "2024-05-06 12:10:00", "", "", "", "", "", "", ""]
    assert by_code["B-002"][1:5] == ["Caja", "Caja", "Older adult", "served"]
    assert [row[0] for row in rows[1:3]] == ["A-001", "A-002"]  # in the order they were issued


def test_csv_export_of_one_service_over_two_days(admin_client, busy_day):
    response = admin_client.get(f"/admin/exports/queue-tickets.csv?start=2024-05-05&end=2024-05-06"
                                f"&service={busy_day['B']}")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="queue-tickets-B-2024-05-05-2024-05-06.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["B-001", "B-002"]


def test_xlsx_export_has_a_bold_header_widths_and_real_datetimes(admin_client, busy_day):
    response = english(admin_client).get(f"/admin/exports/queue-tickets.xlsx?{DAY_QUERY}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename=queue-tickets-2024-05-06.xlsx' in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and all(cell.font.bold for cell in sheet[1])
    assert len(rows) == 15
    first = sheet[2]
    assert [cell.value for cell in first] == [
        "A-001", "General", "General", None, "served", datetime(2024, 5, 6, 9, 0), datetime(2024, 5, 6, 9, 0, 30),
        datetime(2024, 5, 6, 9, 0, 45), datetime(2024, 5, 6, 9, 1, 45), "Módulo 1", "Ana Uno", 30, 60]
    assert all(cell.is_date for cell in first[5:9])
    assert not first[3].font.bold
    assert sheet.column_dimensions["B"].width == 24 and sheet.column_dimensions["F"].width == 20


# --- live updates and roles ------------------------------------------------------------------------------


def test_the_admin_dashboard_socket_hears_every_line_move(app, admin_client, busy_day):
    socket = socketio.test_client(app, namespace="/queue", flask_test_client=admin_client)
    assert socket.is_connected(namespace="/queue")
    socket.get_received(namespace="/queue")
    with app.app_context():
        queue.issue_ticket(db.session.get(Service, busy_day["B"]))
    events = socket.get_received(namespace="/queue")
    assert {"name": "line_changed", "args": [{"service_ids": [busy_day["B"]]}], "namespace": "/queue"} in events
    socket.disconnect(namespace="/queue")


@pytest.mark.parametrize("path", ["/admin", "/admin/stats.json", "/admin/exports/queue-tickets.csv",
                                  "/admin/exports/queue-tickets.xlsx"])
def test_only_admins_see_the_figures(client_as, path):
    assert client_as("staff").get(path).status_code == 403
    assert client_as("agent").get(path).status_code == 403
    assert client_as(None).get(path).status_code == 302
    assert client_as(None).get(path, headers={"Accept": "application/json"}).status_code == 401


# --- PostgreSQL --------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_figures_and_export_agree_on_postgresql(pg_clean):
    with pg_clean.app_context():
        build_busy_day()
        check_busy_day_stats(dashboard_stats(ReportFilter(DAY, DAY)))
        two_days = dashboard_stats(ReportFilter(DAY - timedelta(days=1), DAY))
        assert two_days["totals"]["issued"] == 15 and two_days["hours"][9] == 6
        lines = "".join(csv_chunks(ReportFilter(DAY, DAY))).splitlines()
        assert len(lines) == 15 and lines[1].startswith("A-001,General,General,,atendido,2024-05-06 09:00:00,")
        assert db.session.query(QueueTicket).count() == 15


def test_dates_outside_any_history_are_a_form_error(admin_client):
    response = admin_client.get("/admin/stats.json?start=9999-12-31")
    assert response.status_code == 400 and "start" in response.json["fields"]
    assert admin_client.get("/admin/exports/queue-tickets.csv?end=0001-01-01").status_code == 400


def test_exports_never_carry_live_formulas(app, admin_client, users):
    with app.app_context():
        service = Service(name='=HYPERLINK("http://x")', prefix="F")
        counter = Counter(name="@SUM(1)", service_links=[CounterService(service=service, position=0)])
        db.session.add_all([service, counter])
        staff = db.session.get(User, users["staff"])
        staff.full_name = "=1+1"
        db.session.commit()
        queue.issue_ticket(service)
        queue.call_next(counter, staff)
    rows = list(csv.reader(io.StringIO(admin_client.get("/admin/exports/queue-tickets.csv").get_data(as_text=True))))
    assert all(not cell.startswith(("=", "@", "+")) for cell in rows[1])
    sheet = load_workbook(io.BytesIO(admin_client.get("/admin/exports/queue-tickets.xlsx").data)).active
    assert all(cell.data_type != "f" for cell in sheet[2])
