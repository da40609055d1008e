"""The calendar pages (business hours, holidays) with their errors and audit rows, and "due soon" /
"overdue" with the working time left on the lists, the dashboard and the ticket page.

The pages run on the real clock, so the tickets here are placed around now with no business
hours set (every hour counts): a critical ticket (8 h) filed 7 hours ago is due soon.
"""
import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import AuditLog, BusinessHours, Holiday, Ticket, User
from services.helpdesk import business_hours, tickets
from services.settings import sla_warning_percent
from services.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.support.sla import file_at

HOURS = "/admin/helpdesk/hours"
HOLIDAYS = "/admin/helpdesk/holidays"


def week_form(periods=None, percent="20"):
    """The hours form as a browser posts it: every period field, blank unless given as
    {(day, index): ("08:00", "13:00")}."""
    data = {"warning_percent": percent}
    for day in range(7):
        for index in range(3):
            opens, closes = (periods or {}).get((day, index), ("", ""))
            data[f"days-{day}-periods-{index}-opens_at"] = opens
            data[f"days-{day}-periods-{index}-closes_at"] = closes
    return data


def stored_week():
    return sorted((row.weekday, row.opens_at, row.closes_at) for row in db.session.scalars(select(BusinessHours)))


# --- business hours ---------------------------------------------------------------------------


def test_an_admin_sets_two_periods_a_day_and_the_change_is_audited(admin_client, data):
    page = admin_client.get(HOURS)
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("data-time=\"\"") == 7 * 3 * 2
    weekdays = {(day, 0): ("08:00", "13:00") for day in range(5)} | {(day, 1): ("14:00", "17:00") for day in range(5)}
    response = admin_client.post(HOURS, data=week_form(weekdays, percent="25"))
    assert response.status_code == 302
    with data():
        assert stored_week() == sorted([(day, time(8), time(13)) for day in range(5)]
                                       + [(day, time(14), time(17)) for day in range(5)])
        assert sla_warning_percent() == 25
        (audit,) = db.session.scalars(select(AuditLog).where(AuditLog.action == "business_hours.updated"))
        assert audit.before == {} and audit.after["0"] == ["08:00–13:00", "14:00–17:00"]
    page = admin_client.get(HOURS).get_data(as_text=True)
    assert 'value="14:00"' in page and 'id="hours-summary"' in page and "40 h" in page
    # the organisation's clock the hours are read on, with a way to where it is changed
    assert re.search(r'<a href="/admin/settings" id="timezone-link">[\w/]+</a>', page)


@pytest.mark.parametrize("periods, error_at, words", [
    ({(0, 0): ("08:00", "13:00"), (0, 1): ("12:00", "17:00")}, "0-1", "08:00–13:00"),  # overlapping
    ({(2, 0): ("17:00", "08:00")}, "2-0", "00:00"),  # closes before it opens (a night shift is two periods)
    ({(4, 1): ("14:00", "")}, "4-1", None),  # one time missing
    ({(1, 0): ("09:00", "09:00")}, "1-0", None),  # no time at all
    ({(6, 2): ("25:00", "26:00")}, "6-2", None),  # not a time
])
def test_a_week_that_makes_no_sense_comes_back_with_the_error_beside_its_period(admin_client, data, periods,
                                                                                error_at, words):
    response = admin_client.post(HOURS, data=week_form(periods))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = re.findall(r'data-period-error="([\d-]+)">([^<]*)<', html)
    assert [where for where, _ in errors] == [error_at]
    if words:
        assert words in errors[0][1]
    with data():
        assert stored_week() == [] and db.session.scalars(select(AuditLog)).all() == []


def test_a_period_may_run_to_midnight(admin_client, data):
    response = admin_client.post(HOURS, data=week_form({(4, 0): ("22:00", "00:00"), (5, 0): ("00:00", "06:00")}))
    assert response.status_code == 302
    with data():
        assert stored_week() == [(4, time(22), time(0)), (5, time(0), time(6))]


def test_the_warning_share_must_be_sensible(admin_client, data):
    response = admin_client.post(HOURS, data=week_form(percent="95"))
    assert response.status_code == 200
    assert re.search(r'<input class="form-control is-invalid" id="warning_percent"', response.get_data(as_text=True))


def test_the_calendar_pages_need_the_csrf_token(admin_client):
    assert admin_client.post(HOURS, data=week_form(), csrf=False).status_code == 400
    assert admin_client.post(HOLIDAYS, data={"day": "2025-12-25", "name": "Navidad"}, csrf=False).status_code == 400


# --- holidays ---------------------------------------------------------------------------------


def test_holidays_are_added_refused_twice_and_removed_with_audit_rows(admin_client, data):
    name = "Día de la Independencia — <script>alert(1)</script> " + "ñ" * 60
    future = date.today() + timedelta(days=40)
    response = admin_client.post(HOLIDAYS, data={"day": future.isoformat(), "name": name})
    assert response.status_code == 302
    page = admin_client.get(HOLIDAYS).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert f'data-holiday="{future.isoformat()}"' in page.split('id="upcoming-holidays"')[1]

    again = admin_client.post(HOLIDAYS, data={"day": future.isoformat(), "name": "Otra"})
    assert again.status_code == 200
    after_day = again.get_data(as_text=True).split('id="day"')[1]
    assert "Día de la Independencia" in after_day.split('class="invalid-feedback">')[1].split("<")[0]

    assert admin_client.post(HOLIDAYS, data={"day": "", "name": ""}).status_code == 200
    assert admin_client.post(HOLIDAYS, data={"day": "2025-01-01", "name": "x" * 121}).status_code == 200

    with data():
        holiday = db.session.scalars(select(Holiday)).one()
    assert admin_client.post(f"{HOLIDAYS}/{holiday.id}/delete").status_code == 302
    assert admin_client.post(f"{HOLIDAYS}/{holiday.id}/delete").status_code == 404
    with data():
        assert db.session.scalars(select(Holiday)).all() == []
        actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
        assert actions == ["holiday.created", "holiday.deleted"]


def test_past_holidays_are_listed_apart(admin_client, data):
    with data():
        business_hours.add_holiday(date(2020, 1, 1), "Año Nuevo 2020", None)
    page = admin_client.get(HOLIDAYS).get_data(as_text=True)
    assert "Año Nuevo 2020" in page.split('id="past-holidays"')[1]
    # the whole date on wide screens, a short one on a phone (Spanish, the default language)
    assert "miércoles, 1 de enero de 2020" in page and "mié 1 ene 2020" in page


# --- due soon and overdue on the pages ------------------------------------------------------------


@pytest.fixture
def clocked(app, helpdesk):
    """Three open critical tickets of agent1: one due soon, one overdue by 1 h 5 min, one on track."""
    with app.app_context():
        now = utcnow()
        soon = file_at(helpdesk, now - timedelta(hours=7), title="Pronto")
        late = file_at(helpdesk, now - timedelta(hours=7), title="Tarde")
        calm = file_at(helpdesk, now - timedelta(hours=1), title="Tranquilo")
        late.due_at = now - timedelta(hours=1, minutes=5, seconds=30)
        db.session.commit()
        return {**helpdesk, "soon": soon.id, "late": late.id, "calm": calm.id}


def sla_cells(page):
    """{ticket id: (data-sla state, text)} of a list's rows."""
    table = page.split('id="ticket-table"')[1].split("</table>")[0]
    return {int(ticket_id): re.search(r'data-sla="(\w+)"[^>]*>([^<]*)<', row).groups()
            for ticket_id, row in re.findall(r'data-ticket-id="(\d+)">(.*?)</tr>', table, re.S)}


def attention_items(page):
    region = page.split('id="needs-attention"')[1].split('data-live-region="workload"')[0]
    return [(int(ticket_id), state) for ticket_id, state in
            re.findall(r'data-ticket-id="(\d+)">\s*<span class="badge [^"]*" data-sla="(\w+)"', region)]


def flag(page):
    match = re.search(r'data-sla="(\w+)"[^>]*id="sla-flag"', page)
    return match.group(1) if match else None


def test_the_lists_show_the_working_time_left_and_filter_by_it(client_as, clocked):
    for client, url in ((client_as("admin"), "/tickets/admin"), (client_as("agent"), "/tickets/ingeniero")):
        cells = sla_cells(client.get(url).get_data(as_text=True))
        states = {key: state for key, (state, _) in cells.items()}
        assert states == {clocked["soon"]: "soon", clocked["late"]: "overdue", clocked["calm"]: "on_track"}
        assert "1 h 5 min" in cells[clocked["late"]][1]
        assert re.search(r"\b(59 min|1 h)\b", cells[clocked["soon"]][1])

        def numbers(query, client=client, url=url):
            return set(sla_cells(client.get(f"{url}?{query}").get_data(as_text=True)))

        assert numbers("due_soon=1") == {clocked["soon"]}
        assert numbers("overdue=1") == {clocked["late"]}
        assert numbers("overdue=1&due_soon=1") == {clocked["soon"], clocked["late"]}


def test_the_agents_figures_count_due_soon(client_as, clocked):
    page = client_as("agent").get("/tickets/ingeniero").get_data(as_text=True)
    figures = dict(re.findall(r'data-stat="(\w+)">(\d+)<', page))
    assert figures["due_soon"] == "1" and figures["overdue"] == "1"


def test_a_ticket_on_hold_is_shown_paused_and_is_never_overdue(client_as, clocked, data):
    with data():
        ticket = db.session.get(Ticket, clocked["late"])
        agent = db.session.get(User, clocked["agent"])
        tickets.change_status(ticket, "in_progress", agent)
        tickets.change_status(ticket, "on_hold", agent)
    admin = client_as("admin")
    assert sla_cells(admin.get("/tickets/admin").get_data(as_text=True))[clocked["late"]][0] == "paused"
    assert clocked["late"] not in sla_cells(admin.get("/tickets/admin?overdue=1").get_data(as_text=True))
    page = admin.get(f"/tickets/{clocked['late']}").get_data(as_text=True)
    assert flag(page) == "paused"
    assert re.search(r'id="ticket-due">—\s*<div class="text-body-secondary">[^<]*1 h 5 min', page)


def test_the_dashboard_counts_and_lists_what_needs_attention(client_as, clocked):
    page = client_as("admin").get("/tickets/dashboard").get_data(as_text=True)
    figures = dict(re.findall(r'data-stat="(\w+)">(\d+)<', page))
    assert figures["due_soon"] == "1" and figures["overdue"] == "1"
    assert attention_items(page) == [(clocked["late"], "overdue"), (clocked["soon"], "soon")]
    live = client_as("admin").get("/tickets/dashboard?fragment=1").get_data(as_text=True)
    assert 'data-live-region="attention"' in live


def test_the_ticket_page_shows_staff_the_time_left_and_the_response_due(client_as, clocked):
    page = client_as("agent").get(f"/tickets/{clocked['soon']}").get_data(as_text=True)
    assert flag(page) == "soon" and 'id="response-due"' in page
    assert flag(client_as("admin").get(f"/tickets/{clocked['late']}").get_data(as_text=True)) == "overdue"


def test_requesters_do_not_see_the_working_time(client_as, app, clocked):
    with app.app_context():
        for key in ("soon", "late"):
            db.session.get(Ticket, clocked[key]).requester_id = clocked["user"]
        db.session.commit()
    page = client_as("user").get(f"/tickets/{clocked['late']}").get_data(as_text=True)
    assert 'id="sla-flag"' not in page and 'id="overdue-flag"' in page
    assert "data-sla" not in client_as("user").get("/tickets").get_data(as_text=True)


@pytest.mark.parametrize("language, soon, late, heading, paused", [
    ("es", r"Vence pronto: quedan? (59 min|1 h)", "Vencido: 1 h 5 min de retraso", "Requieren atención",
     "Vencimiento en pausa"),
    ("en", r"Due soon: (59 min|1 h) left", "Overdue by 1 h 5 min", "Needs attention", "Due time paused"),
])
def test_the_working_time_reads_in_the_pages_language(client_as, clocked, data, language, soon, late, heading,
                                                      paused):
    admin, headers = client_as("admin"), {"Accept-Language": language}
    cells = sla_cells(admin.get("/tickets/admin", headers=headers).get_data(as_text=True))
    assert re.fullmatch(soon, cells[clocked["soon"]][1].strip())
    assert cells[clocked["late"]][1].strip() == late
    dashboard = admin.get("/tickets/dashboard", headers=headers).get_data(as_text=True)
    assert heading in dashboard and late in dashboard
    with data():
        agent = db.session.get(User, clocked["agent"])
        calm = db.session.get(Ticket, clocked["calm"])
        tickets.change_status(calm, "in_progress", agent)
        tickets.change_status(calm, "on_hold", agent)
    page = admin.get(f"/tickets/{clocked['calm']}", headers=headers).get_data(as_text=True)
    assert re.search(rf'data-sla="paused"[^>]*id="sla-flag">{paused}<', page)


def test_on_a_phone_the_title_carries_what_is_pressing(client_as, clocked):
    """The due column is off to the right on a narrow screen: the title cell repeats the badge of
    tickets due soon or overdue (hidden from wider screens and from screen readers)."""
    table = client_as("admin").get("/tickets/admin").get_data(as_text=True).split('id="ticket-table"')[1]
    rows = dict(re.findall(r'data-ticket-id="(\d+)">(.*?)</tr>', table, re.S))
    for key, state in (("soon", "soon"), ("late", "overdue")):
        title_cell = rows[str(clocked[key])].split("</td>")[1]
        assert 'class="d-md-none mt-1" aria-hidden="true"' in title_cell and f'data-sla="{state}"' in title_cell
    assert "d-md-none" not in rows[str(clocked["calm"])].split("</td>")[1]


def test_the_lists_and_the_dashboard_refresh_with_the_clock(client_as, clocked):
    """Time alone turns "due soon" into "overdue": the pages load sla_clock.js, which fetches their
    live parts once a minute (tests/e2e/test_sla_browser.py watches it happen)."""
    admin = client_as("admin")
    assert 'js/sla_clock.js" data-root="#ticket-list" data-fragment="ticket-list-live"' in admin.get(
        "/tickets/admin").get_data(as_text=True)
    assert 'js/sla_clock.js" data-root="main" data-fragment="dashboard-live"' in admin.get(
        "/tickets/dashboard").get_data(as_text=True)
    assert "sla_clock.js" not in client_as("user").get("/tickets").get_data(as_text=True)


def test_the_api_counts_due_soon_and_overdue_as_the_pages_do(client, clocked):
    token = client.post("/api/auth/login", json={"username": "admin1", "password": PASSWORD}).json["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    stats = client.get("/api/tickets/dashboard/stats", headers=headers).json
    assert (stats["due_soon"], stats["overdue"]) == (1, 1)
    listed = client.get("/api/tickets/tickets?due_soon=1&overdue=1", headers=headers).json
    assert {item["id"] for item in listed["items"]} == {clocked["soon"], clocked["late"]}
