"""Queue exports read back (the .csv with the csv module, the .xlsx with openpyxl): the service a
ticket was issued for beside the line it is in now, statuses and priorities as words in the
exporter's language, the whole history, and rows fetched in batches with a fixed number of queries.

The data: tests/support/queue_history.py (a transfer, a no-show, a waiting ticket, three days).
"""
import csv
import io
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import event

from extensions import db
from services.queue import exports
from services.queue.stats import ReportFilter
from tests.support.queries import statements_on
from tests.support.queue_history import BETO, CASHIER, MARIA, PROCEDURES, build_queue_history, issue_more

CSV_URL = "/admin/exports/queue-tickets.csv"
XLSX_URL = "/admin/exports/queue-tickets.xlsx"
HEADER = ["Code", "Issued for", "Service", "Priority", "Status", "Issued at", "Called at", "Service started at",
          "Finished at", "Counter", "Staff", "Waiting seconds", "Service seconds"]


@pytest.fixture
def history(app, users):
    with app.app_context():
        return build_queue_history()


def in_language(client, locale):
    client.post("/language", data={"locale": locale})
    return client


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def xlsx_rows(response):
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_code(rows):
    return {(row[0], str(row[5])[:10]): row for row in rows[1:]}


# --- a transfer, translated words ------------------------------------------------------------------------


def test_csv_names_both_services_and_reads_statuses_in_english(admin_client, history):
    response = in_language(admin_client, "en").get(f"{CSV_URL}?start=2024-05-06")
    rows = csv_rows(response)
    assert rows[0] == HEADER
    day = by_code(rows)
    assert day[("TRC-1234", "2024-05-06")] == [
        "TRC-1234", PROCEDURES, CASHIER, "Older adult", "served", "2024-05-06 09:00:00", "2024-05-06 09:05:00", "",
        "2024-05-06 09:14:00", "Módulo 2", BETO, "300", "240"]
    assert day[("TRC-1235", "2024-05-06")][1:5] == [PROCEDURES, PROCEDURES, "", "no-show"]
    assert day[("TRC-1235", "2024-05-06")][9:11] == ["Módulo 1", MARIA]
    assert day[("CAJ-001", "2024-05-06")][1:5] == [CASHIER, CASHIER, "", "waiting"]


def test_csv_reads_statuses_and_priorities_in_spanish(admin_client, history):
    rows = csv_rows(in_language(admin_client, "es").get(f"{CSV_URL}?start=2024-05-06"))
    assert rows[0][:1] + rows[0][2:5] == ["Código", "Servicio", "Prioridad", "Estado"]
    day = by_code(rows)
    assert day[("TRC-1234", "2024-05-06")][1:5] == [PROCEDURES, CASHIER, "Adulto mayor", "atendido"]
    assert day[("TRC-1235", "2024-05-06")][4] == "no se presentó"
    assert day[("CAJ-001", "2024-05-06")][4] == "en espera"
    assert not {"done", "no_show", "waiting", "elderly"} & {cell for row in rows for cell in row}


@pytest.mark.parametrize("locale, priority, served, no_show", [
    ("en", "Older adult", "served", "no-show"),
    ("es", "Adulto mayor", "atendido", "no se presentó"),
])
def test_xlsx_names_both_services_and_reads_statuses_translated(admin_client, history, locale, priority, served,
                                                                no_show):
    response = in_language(admin_client, locale).get(f"{XLSX_URL}?start=2024-05-06")
    rows = xlsx_rows(response)
    day = by_code(rows)
    assert day[("TRC-1234", "2024-05-06")] == [
        "TRC-1234", PROCEDURES, CASHIER, priority, served, datetime(2024, 5, 6, 9), datetime(2024, 5, 6, 9, 5),
        None, datetime(2024, 5, 6, 9, 14), "Módulo 2", BETO, 300, 240]
    assert day[("TRC-1235", "2024-05-06")][3:5] == [None, no_show]
    if locale == "en":
        assert rows[0] == HEADER


# --- the whole history ----------------------------------------------------------------------------------


def test_the_whole_history_exports_every_day(admin_client, history):
    response = in_language(admin_client, "en").get(f"{CSV_URL}?all_history=y")
    assert response.status_code == 200 and response.is_streamed
    assert response.headers["Content-Disposition"] == 'attachment; filename="queue-tickets-all.csv"'
    rows = csv_rows(response)
    assert [(row[0], row[5][:10]) for row in rows[1:]] == [
        ("CAJ-001", "2024-05-03"), ("TRC-001", "2024-05-05"), ("TRC-1234", "2024-05-06"),
        ("TRC-1235", "2024-05-06"), ("CAJ-001", "2024-05-06")]  # in the order they were issued

    response = admin_client.get(f"{XLSX_URL}?all_history=y&service={history['CAJ']}")
    assert 'filename=queue-tickets-CAJ-all.xlsx' in response.headers["Content-Disposition"]
    # Caja's history: its own numbers, and the one transferred to it (issued for Trámites).
    assert [(row[0], row[1], row[2]) for row in xlsx_rows(response)[1:]] == [
        ("CAJ-001", CASHIER, CASHIER), ("TRC-1234", PROCEDURES, CASHIER), ("CAJ-001", CASHIER, CASHIER)]


def test_a_range_names_its_days_and_a_bad_filter_is_refused(admin_client, history):
    response = admin_client.get(f"{CSV_URL}?start=2024-05-03&end=2024-05-06&service={history['TRC']}")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="queue-tickets-TRC-2024-05-03-2024-05-06.csv"')
    assert [row[0] for row in csv_rows(response)[1:]] == ["TRC-001", "TRC-1234", "TRC-1235"]
    assert admin_client.get(f"{CSV_URL}?all_history=y&service=999").status_code == 400


def test_the_export_takes_the_same_queries_however_long_the_history(app, history, monkeypatch):
    """Rows come in batches from one query (a server-side cursor on PostgreSQL): a history ten
    times longer costs the same statements, and never one query per row."""
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)

    def export_statements():
        with app.test_request_context(), statements_on(db.engine) as statements:
            text = "".join(exports.csv_chunks(ReportFilter.whole_history()))
            with exports.xlsx_file(ReportFilter.whole_history()) as workbook:
                assert workbook.read(2) == b"PK"
        return statements, text.count("\n")

    short, short_lines = export_statements()
    with app.app_context():
        issue_more(history["CAJ"], 45)
    long, long_lines = export_statements()
    assert (short_lines, long_lines) == (6, 51)
    assert len(short) == len(long) <= 3  # the settings (once), then one SELECT per export
    assert sum("FROM queue_tickets" in sql for sql in long) == 2


# --- PostgreSQL -------------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_whole_history_streams_from_a_server_side_cursor_on_postgresql(pg_clean, monkeypatch):
    monkeypatch.setattr(exports, "BATCH_SIZE", 2)
    cursors = []

    def record(connection, cursor, statement, *args):
        cursors.append((statement, getattr(cursor, "name", None)))  # psycopg2 names server-side cursors

    with pg_clean.test_request_context():
        ids = build_queue_history()
        issue_more(ids["CAJ"], 7)
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            lines = "".join(exports.csv_chunks(ReportFilter.whole_history())).splitlines()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    assert len(lines) == 13
    assert "Adulto mayor,atendido" in next(line for line in lines if line.startswith("TRC-1234,"))
    selects = [name for statement, name in cursors if "FROM queue_tickets" in statement]
    assert len(selects) == 1 and selects[0]  # one query, from a server-side cursor: memory stays flat
