"""Helpdesk exports read back: Excel with openpyxl, CSV with the csv module, PDFs by decoding
the text they show. Scope by role, filters, internal notes only for staff, no live formulas.

The desk (times in UTC; the organisation's clock, Mexico City, is six hours behind):

  TKT-000001  user1, Impresora (Soporte, medium → due in 48 h), filed 2025-03-03 15:30, assigned
              to agent1; agent1 replies an hour later and adds an internal note an hour after that.
  TKT-000002  user1, Factura (Facturación, nobody works there), title "=1+1", filed a day later,
              closed by the admin the day after.
  TKT-000003  staff1, Red (Soporte, high), a 170-character title, filed three days after the first,
              assigned to agent1.

Every due time is long past, so the open ones are overdue.
"""
import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from extensions import db
from models import Setting, User
from services.helpdesk import pdf as ticket_pdf
from services.helpdesk import tickets
from services.timeutil import local_today
from tests.conftest import build_helpdesk, login
from tests.support.pdf import page_count, pdf_text

T0 = datetime(2025, 3, 3, 15, 30, tzinfo=UTC)  # 09:30 on the organisation's clock
LONG_TITLE = "Sin red en todo el piso 3 desde la mañana, también en la sala de reuniones " + "x" * 95
INTERNAL_NOTE = "Nota interna: pedir tóner a compras"
PUBLIC_REPLY = "¿Probó apagarla y encenderla?"
HEADER = ["Number", "Title", "Status", "Priority", "Category", "Area", "Location", "Requester", "Requester email",
          "Assignee", "Created", "Updated", "First response", "Due", "Closed", "Overdue"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_desk(helpdesk):
    """The tickets described at the top of this file. Call inside an app context."""
    db.session.add_all([Setting(key="timezone", value="America/Mexico_City"),
                        Setting(key="organisation_name", value="Clínica Ñuñoa")])
    db.session.commit()
    user, agent, admin, staff = (db.session.get(User, helpdesk[role]) for role in ("user", "agent", "admin", "staff"))
    printer = tickets.file_ticket(title="Impresora ñ á — €", description="No imprime.\nDice «sin tóner».",
                                  category_id=helpdesk["printer"], location_id=helpdesk["location"], requester=user,
                                  now=T0)
    tickets.add_comment(printer, PUBLIC_REPLY, agent, now=T0 + timedelta(hours=1))
    tickets.add_comment(printer, INTERNAL_NOTE, agent, internal=True, now=T0 + timedelta(hours=2))
    formula = tickets.file_ticket(title="=1+1", description="Factura duplicada", category_id=helpdesk["invoice"],
                                  requester=user, now=T0 + timedelta(days=1))
    tickets.change_status(formula, "closed", admin, now=T0 + timedelta(days=2))
    network = tickets.file_ticket(title=LONG_TITLE, description="Sin red.", category_id=helpdesk["network"],
                                  requester=staff, now=T0 + timedelta(days=3))
    assert printer.assignee_id == network.assignee_id == helpdesk["agent"] and formula.assignee_id is None
    return {**helpdesk, "printer_ticket": printer.id, "formula_ticket": formula.id, "network_ticket": network.id,
            "today": local_today().isoformat()}


@pytest.fixture
def desk(app, helpdesk):
    with app.app_context():
        return build_desk(helpdesk)


def english(client):
    client.post("/language", data={"locale": "en"})
    return client


def workbook(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def csv_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def numbers(rows):
    return [row[0] for row in rows[1:]]


# --- Excel -----------------------------------------------------------------------------------------


def test_the_admins_workbook_has_a_styled_header_fitting_widths_real_dates_and_every_note(client_as, desk):
    response = english(client_as("admin")).get("/tickets/export.xlsx?scope=all")
    book = workbook(response)
    assert response.headers["Content-Disposition"] == f"attachment; filename=tickets-{desk['today']}.xlsx"
    assert [sheet.title for sheet in book.worksheets] == ["Tickets", "Conversation"]

    sheet = book["Tickets"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert all(cell.font.bold and cell.fill.fgColor.rgb.endswith("DDEBF7") for cell in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:P4"
    assert numbers(rows) == ["TKT-000003", "TKT-000002", "TKT-000001"]  # newest first, as the list
    printer = list(rows[3])
    assert printer == [
        "TKT-000001", "Impresora ñ á — €", "Open", "Medium", "Impresora", "Soporte Técnico", "Edificio Central",
        "User Uno", "user1@example.org", "Agent Uno", datetime(2025, 3, 3, 9, 30), datetime(2025, 3, 3, 11, 30),
        datetime(2025, 3, 3, 10, 30), datetime(2025, 3, 5, 9, 30), None, "Yes"]
    created = sheet["K4"]
    assert created.is_date and created.number_format == "yyyy-mm-dd hh:mm" and not created.font.bold
    assert list(rows[2])[2] == "Closed" and rows[2][14] == datetime(2025, 3, 5, 9, 30) and rows[2][15] == "No"

    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABEHIP"}
    assert widths["B"] == 60  # the long title, capped
    assert widths["A"] == len("TKT-000001") + 2 and widths["E"] == len("Impresora") + 2
    assert widths["I"] == len("staff1@example.org") + 2  # the longest address
    assert widths["P"] == len("Overdue") + 2

    conversation = list(book["Conversation"].iter_rows(values_only=True))
    assert conversation == [
        ("Ticket", "Time", "Author", "Internal", "Text"),
        ("TKT-000001", datetime(2025, 3, 3, 10, 30), "Agent Uno", "No", PUBLIC_REPLY),
        ("TKT-000001", datetime(2025, 3, 3, 11, 30), "Agent Uno", "Yes", INTERNAL_NOTE),
    ]
    assert book["Conversation"].auto_filter.ref == "A1:E3"


def all_text(book):
    return [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
            if isinstance(cell, str)]


def test_a_requesters_workbook_holds_their_tickets_and_never_an_internal_note(client_as, desk):
    book = workbook(english(client_as("user")).get("/tickets/export.xlsx"))  # no scope: their own tickets
    assert numbers(list(book["Tickets"].iter_rows(values_only=True))) == ["TKT-000002", "TKT-000001"]
    conversation = list(book["Conversation"].iter_rows(values_only=True))
    assert conversation == [("Ticket", "Time", "Author", "Text"),
                            ("TKT-000001", datetime(2025, 3, 3, 10, 30), "Agent Uno", PUBLIC_REPLY)]
    assert not any("Nota interna" in text for text in all_text(book))


def test_an_agents_workbook_is_their_work_with_its_internal_notes(client_as, desk):
    book = workbook(english(client_as("agent")).get("/tickets/export.xlsx"))  # no scope: assigned
    assert numbers(list(book["Tickets"].iter_rows(values_only=True))) == ["TKT-000003", "TKT-000001"]
    assert ("TKT-000001", datetime(2025, 3, 3, 11, 30), "Agent Uno", "Yes", INTERNAL_NOTE) in list(
        book["Conversation"].iter_rows(values_only=True))


@pytest.mark.parametrize("query, expected", [
    ("status=closed", ["TKT-000002"]),
    ("status=open&status=closed&sort=number", ["TKT-000001", "TKT-000002", "TKT-000003"]),
    ("overdue=1", ["TKT-000003", "TKT-000001"]),
    ("q=impresora", ["TKT-000001"]),
    ("assignee_id=none", ["TKT-000002"]),
    ("date_from=2025-03-04&date_to=2025-03-04", ["TKT-000002"]),
])
def test_the_list_filters_apply_to_every_format(client_as, desk, query, expected):
    client = client_as("admin")
    assert numbers(list(workbook(client.get(f"/tickets/export.xlsx?scope=all&{query}"))["Tickets"]
                        .iter_rows(values_only=True))) == expected
    assert numbers(csv_rows(client.get(f"/tickets/export.csv?scope=all&{query}"))) == expected


def test_ids_in_filters_apply_too(client_as, desk):
    client = client_as("admin")
    assert numbers(csv_rows(client.get(f"/tickets/export.csv?category_id={desk['network']}"))) == ["TKT-000003"]
    assert numbers(csv_rows(client.get(f"/tickets/export.csv?area_id={desk['billing']}"))) == ["TKT-000002"]
    assert numbers(csv_rows(client.get(f"/tickets/export.csv?priority_id={desk['priorities']['medium']}"))) == [
        "TKT-000001"]


def test_typed_text_never_becomes_a_formula_nor_breaks_the_workbook(app, client_as, desk):
    with app.app_context():
        user = db.session.get(User, desk["user"])
        tickets.file_ticket(title="@SUM(A1) con\x0bcontrol", description="x", category_id=desk["printer"],
                            requester=user)
    book = workbook(client_as("admin").get("/tickets/export.xlsx?sort=number&direction=asc"))
    sheet = book["Tickets"]
    assert sheet["B3"].value == "'=1+1" and sheet["B5"].value == "'@SUM(A1) concontrol"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


# --- CSV ---------------------------------------------------------------------------------------------


def test_the_csv_streams_with_a_bom_the_same_columns_and_local_times(client_as, desk):
    response = english(client_as("admin")).get("/tickets/export.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="tickets-{desk["today"]}.csv"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.get_data().startswith(b"\xef\xbb\xbfNumber,Title,")
    rows = csv_rows(response)
    assert rows[0] == HEADER
    assert rows[3] == ["TKT-000001", "Impresora ñ á — €", "Open", "Medium", "Impresora", "Soporte Técnico",
                       "Edificio Central", "User Uno", "user1@example.org", "Agent Uno", "2025-03-03 09:30:00",
                       "2025-03-03 11:30:00", "2025-03-03 10:30:00", "2025-03-05 09:30:00", "", "Yes"]
    assert rows[2][:3] == ["TKT-000002", "'=1+1", "Closed"] and rows[2][9] == ""


def test_each_role_gets_its_own_csv(client_as, desk):
    assert numbers(csv_rows(client_as("user").get("/tickets/export.csv"))) == ["TKT-000002", "TKT-000001"]
    assert numbers(csv_rows(client_as("staff").get("/tickets/export.csv"))) == ["TKT-000003"]
    assert numbers(csv_rows(client_as("agent").get("/tickets/export.csv"))) == ["TKT-000003", "TKT-000001"]
    assert numbers(csv_rows(client_as("agent").get("/tickets/export.csv?scope=mine"))) == []
    assert numbers(csv_rows(client_as("admin").get("/tickets/export.csv?scope=mine"))) == []
    assert len(csv_rows(client_as("admin").get("/tickets/export.csv"))) == 4


# --- who may ask for what ---------------------------------------------------------------------------------


@pytest.mark.parametrize("extension", ["xlsx", "csv", "pdf"])
@pytest.mark.parametrize("role, scope", [("agent", "all"), ("user", "all"), ("user", "assigned"),
                                         ("admin", "assigned"), ("staff", "assigned")])
def test_a_scope_above_ones_role_is_forbidden(client_as, desk, extension, role, scope):
    client = english(client_as(role))
    assert client.get(f"/tickets/export.{extension}?scope={scope}").status_code == 403
    response = client.get(f"/tickets/export.{extension}?scope={scope}", headers={"Accept": "application/json"})
    assert response.status_code == 403 and response.json["error"] == "not_allowed"


@pytest.mark.parametrize("extension", ["xlsx", "csv", "pdf"])
@pytest.mark.parametrize("query, field", [("status=lost", "status"), ("scope=everything", "scope"),
                                          ("date_from=2025-13-01", "date_from"), ("category_id=abc", "category_id"),
                                          ("sort=colour", "sort")])
def test_a_bad_filter_is_a_400_naming_it(client_as, desk, extension, query, field):
    client = english(client_as("admin"))
    response = client.get(f"/tickets/export.{extension}?{query}", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["error"] == "validation_error" and field in response.json["fields"]
    page = client.get(f"/tickets/export.{extension}?{query}")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert response.json["message"] in page.get_data(as_text=True)


def test_signed_out_people_are_sent_to_sign_in(client, desk):
    assert client.get("/tickets/export.csv").status_code == 302
    assert client.get(f"/tickets/{desk['printer_ticket']}/export.pdf").status_code == 302


# --- PDF ------------------------------------------------------------------------------------------------


def pdf(response, filename):
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={filename}"
    data = response.get_data()
    assert data.startswith(b"%PDF-") and b"/FontFile2" in data and b"DejaVuSans" in data  # the font is embedded
    return data


def test_the_list_pdf_prints_accents_dashes_and_the_filters(client_as, desk):
    query = f"scope=all&status=open&q=a&area_id={desk['support']}&assignee_id={desk['agent']}&overdue=1"
    data = pdf(english(client_as("admin")).get(f"/tickets/export.pdf?{query}"), f"tickets-{desk['today']}.pdf")
    text = pdf_text(data)
    assert "Clínica Ñuñoa" in text and "Generated " in text
    assert ("All tickets · Status: Open · Area: Soporte Técnico · Assignee: Agent Uno · Overdue only · Search: a"
            in text)
    assert "TKT-000001 Impresora ñ á — € Open Medium Impresora User Uno Agent Uno 2025-03-03 09:30" in text
    assert "TKT-000003 Sin red en todo el piso" in text  # the long title wraps inside its column
    assert "TKT-000002" not in text  # closed
    assert "Page 1 of 1" in text and page_count(data) == 1


def test_the_list_pdf_stops_at_its_limit_and_says_so(client_as, desk, monkeypatch):
    monkeypatch.setattr(ticket_pdf, "PDF_MAX_ROWS", 2)
    text = pdf_text(pdf(english(client_as("admin")).get("/tickets/export.pdf"), f"tickets-{desk['today']}.pdf"))
    assert "Only the first 2 tickets are listed: export to Excel or CSV for all of them." in text
    assert "TKT-000003" in text and "TKT-000002" in text and "TKT-000001" not in text


def test_a_requesters_list_pdf_holds_their_tickets_only(client_as, desk):
    text = pdf_text(pdf(english(client_as("user")).get("/tickets/export.pdf"), f"tickets-{desk['today']}.pdf"))
    assert "Tickets I filed" in text
    assert "TKT-000001" in text and "TKT-000002" in text and "TKT-000003" not in text


def test_a_long_list_pdf_repeats_its_header_on_every_page(app, client_as, desk):
    with app.app_context():
        staff = db.session.get(User, desk["staff"])
        for number in range(60):
            tickets.file_ticket(title=f"Ticket {number} " + "palabra " * 20, description="x",
                                category_id=desk["invoice"], requester=staff)
    data = pdf(english(client_as("admin")).get("/tickets/export.pdf"), f"tickets-{desk['today']}.pdf")
    text = pdf_text(data)
    assert page_count(data) >= 3
    heading = "Number Title Status Priority Category Requester Assignee Created Due Overdue"
    assert text.count(heading) == page_count(data)
    assert all(f"Ticket {number} palabra" in text for number in range(60))


def test_the_ticket_pdf_for_staff_has_the_whole_conversation(client_as, desk):
    response = english(client_as("agent")).get(f"/tickets/{desk['printer_ticket']}/export.pdf")
    text = pdf_text(pdf(response, "TKT-000001.pdf"))
    assert "TKT-000001 — Impresora ñ á — €" in text
    assert "Requester User Uno <user1@example.org>" in text and "Due 2025-03-05 09:30" in text
    assert "No imprime.\nDice «sin tóner»." in text
    assert "Agent Uno · 2025-03-03 10:30\n" + PUBLIC_REPLY in text
    assert "Agent Uno · 2025-03-03 11:30 · Internal note\n" + INTERNAL_NOTE in text


def test_the_ticket_pdf_for_its_requester_leaves_internal_notes_out(client_as, desk):
    text = pdf_text(pdf(english(client_as("user")).get(f"/tickets/{desk['printer_ticket']}/export.pdf"),
                        "TKT-000001.pdf"))
    assert PUBLIC_REPLY in text
    assert INTERNAL_NOTE not in text and "Internal note" not in text


def test_a_ticket_pdf_one_may_not_see_is_not_found(client_as, desk):
    assert client_as("user").get(f"/tickets/{desk['network_ticket']}/export.pdf").status_code == 404
    assert client_as("agent").get(f"/tickets/{desk['formula_ticket']}/export.pdf").status_code == 404
    assert client_as("registrar").get(f"/tickets/{desk['printer_ticket']}/export.pdf").status_code == 404
    assert client_as("admin").get("/tickets/999999/export.pdf").status_code == 404
    assert client_as("staff").get(f"/tickets/{desk['network_ticket']}/export.pdf").status_code == 200


def test_long_text_wraps_and_prints_as_text_not_markup(app, client_as, desk):
    long_word = "https://example.org/" + "a" * 300
    with app.app_context():
        user = db.session.get(User, desk["user"])
        ticket = tickets.file_ticket(title="<b>negrita</b> **sin markdown**", category_id=desk["printer"],
                                     description="palabra " * 900 + long_word, requester=user)
        tickets.add_comment(ticket, "timbre\x07 y\ttab\r\nlínea nueva", user)
        ticket_id = ticket.id
    data = pdf(english(client_as("user")).get(f"/tickets/{ticket_id}/export.pdf"), "TKT-000004.pdf")
    text = pdf_text(data)
    assert page_count(data) >= 2
    assert "<b>negrita</b> **sin markdown**" in text
    assert long_word in text.replace("\n", "")
    assert "timbre y tab\nlínea nueva" in text  # as the page shows it: spaces collapsed, the line break kept


def test_the_font_and_its_licence_ship_with_the_project():
    fonts = Path(ticket_pdf.FONT_DIR)
    assert (fonts / "DejaVuSans.ttf").stat().st_size > 100_000
    assert (fonts / "DejaVuSans-Bold.ttf").stat().st_size > 100_000
    licence = (fonts / "LICENSE").read_text()
    assert "Bitstream Vera Fonts Copyright" in licence and "Arev Fonts Copyright" in licence


# --- PostgreSQL ---------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_exports_agree_on_postgresql(pg_clean):
    """Server-side cursors (yield_per), full-text search and the SQL widths on the production database."""
    with pg_clean.app_context():
        ids = {}
        for role in ("admin", "agent", "user", "staff"):
            person = User(username=f"{role}1", email=f"{role}1@example.org", full_name=f"{role.title()} Uno", role=role)
            person.set_password("password123")
            db.session.add(person)
            db.session.flush()
            ids[role] = person.id
        db.session.commit()
        desk = build_desk(build_helpdesk(ids))
    client = english(pg_clean.test_client())
    assert login(client, "admin1").status_code == 302
    assert numbers(csv_rows(client.get("/tickets/export.csv?sort=priority"))) == [
        "TKT-000003", "TKT-000001", "TKT-000002"]
    assert numbers(csv_rows(client.get("/tickets/export.csv?q=impres"))) == ["TKT-000001"]
    book = workbook(client.get("/tickets/export.xlsx?sort=priority&direction=asc"))
    assert numbers(list(book["Tickets"].iter_rows(values_only=True))) == ["TKT-000002", "TKT-000001", "TKT-000003"]
    assert book["Tickets"].column_dimensions["B"].width == 60
    assert [row[4] for row in book["Conversation"].iter_rows(values_only=True)] == ["Text", PUBLIC_REPLY, INTERNAL_NOTE]
    text = pdf_text(pdf(client.get("/tickets/export.pdf"), f"tickets-{desk['today']}.pdf"))
    assert "TKT-000001 Impresora ñ á — €" in text
    agent = english(pg_clean.test_client())
    login(agent, "agent1")
    assert numbers(csv_rows(agent.get("/tickets/export.csv"))) == ["TKT-000003", "TKT-000001"]
