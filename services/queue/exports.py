"""Every queue ticket of a report as CSV (streamed) or Excel (.xlsx, write-only).

Each row names the service the ticket was issued for ("Issued for", the service of its code) and
the line it is in now ("Service"; they differ after a transfer), and gives its status and
priority as words in the exporter's language, never as stored codes.
Rows are fetched in batches of BATCH_SIZE (a server-side cursor on PostgreSQL), so memory stays
flat however many tickets there are: the CSV is sent while it is read, and openpyxl's write-only
mode keeps the rows in a temporary file until the workbook is zipped.
Times are shown on the organisation's clock, without an offset (Excel has no time zones).
"""
import csv
import io
import tempfile

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import case, select
from sqlalchemy.orm import aliased

from extensions import db
from models import Counter, PriorityReason, QueueStatus, QueueTicket, Service, User
from services.queue.labels import priority_label
from services.queue.line import status_label
from services.queue.stats import service_seconds, ticket_conditions, waiting_seconds
from services.spreadsheets import csv_value, styled_cell, take
from services.timeutil import organisation_tz

BATCH_SIZE = 1000
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# (header, width in characters in the .xlsx), in the order of export_row's values.
COLUMNS = [
    (_l("Code"), 10),
    (_l("Issued for"), 24),
    (_l("Service"), 24),
    (_l("Priority"), 16),
    (_l("Status"), 16),
    (_l("Issued at"), 20),
    (_l("Called at"), 20),
    (_l("Service started at"), 20),
    (_l("Finished at"), 20),
    (_l("Counter"), 16),
    (_l("Staff"), 24),
    (_l("Waiting seconds"), 10),
    (_l("Service seconds"), 10),
]
DATETIME_COLUMNS = range(5, 9)


def export_filename(report, extension):
    """queue-tickets-2024-05-01.csv, queue-tickets-A-2024-05-01-2024-05-31.xlsx, queue-tickets-all.csv"""
    parts = ["queue-tickets"]
    if report.service_id:
        prefix = db.session.scalar(select(Service.prefix).where(Service.id == report.service_id))
        parts.append(prefix or str(report.service_id))
    if report.is_whole_history:
        parts.append("all")
    else:
        parts.append(report.first_day.isoformat())
        if report.last_day != report.first_day:
            parts.append(report.last_day.isoformat())
    return f"{'-'.join(parts)}.{extension}"


class Labels:
    """Status and priority names in the exporter's language, looked up once per export (the
    request's locale is still there while a streamed CSV is being sent)."""

    def __init__(self):
        self.statuses = {status: str(status_label(status)) for status in QueueStatus}
        self.priorities = {reason: str(priority_label(reason)) for reason in PriorityReason}

    def status(self, status):
        return self.statuses[status]

    def priority(self, reason):
        return self.priorities[reason] if reason else ""


def ticket_batches(report):
    """Lists of row tuples, BATCH_SIZE at a time, in the order the tickets were issued."""
    served = QueueTicket.status == QueueStatus.DONE
    issued_for = aliased(Service, name="issued_for")
    query = (
        select(QueueTicket.code, issued_for.name, Service.name, QueueTicket.priority, QueueTicket.status,
               QueueTicket.issued_at, QueueTicket.called_at, QueueTicket.serving_started_at, QueueTicket.finished_at,
               Counter.name, User.full_name, User.username, waiting_seconds(), case((served, service_seconds())))
        .join(issued_for, issued_for.id == QueueTicket.issued_service_id)
        .join(Service, Service.id == QueueTicket.service_id)
        .outerjoin(Counter, Counter.id == QueueTicket.counter_id)
        .outerjoin(User, User.id == QueueTicket.staff_id)
        .where(*ticket_conditions(report))
        .order_by(QueueTicket.issued_at, QueueTicket.id)
        .execution_options(yield_per=BATCH_SIZE)
    )
    tz, labels = organisation_tz(), Labels()
    for partition in db.session.execute(query).partitions():
        yield [export_row(row, tz, labels) for row in partition]


def export_row(row, tz, labels):
    (code, issued_for, service, priority, status, issued, called, started, finished, counter, full_name, username,
     waited, served) = row
    local = [value.astimezone(tz).replace(tzinfo=None) if value else None
             for value in (issued, called, started, finished)]
    return (code, issued_for, service, labels.priority(priority), labels.status(status), *local, counter or "",
            full_name or username or "", whole_seconds(waited), whole_seconds(served))


def whole_seconds(value):
    return int(round(value)) if value is not None else None


def headers():
    return [str(header) for header, _ in COLUMNS]


# --- CSV -----------------------------------------------------------------------------------------


def csv_chunks(report):
    """The CSV text in pieces (one per batch), with a BOM so Excel reads the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers())
    yield take(buffer)
    for batch in ticket_batches(report):
        writer.writerows([csv_value(value) for value in row] for row in batch)
        yield take(buffer)


# --- Excel -----------------------------------------------------------------------------------------


def xlsx_file(report):
    """A temporary file holding the workbook, positioned at its start; the caller closes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_l("Queue tickets"))[:31])
    for index, (_, width) in enumerate(COLUMNS, start=1):  # widths must come before the first row
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([styled_cell(sheet, header, font=Font(bold=True)) for header in headers()])
    for batch in ticket_batches(report):
        for row in batch:
            sheet.append([datetime_cell(sheet, value) if index in DATETIME_COLUMNS else text_cell(sheet, value)
                          for index, value in enumerate(row)])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output


def text_cell(sheet, value):
    """Strings stay strings: openpyxl would otherwise store "=..." as a live formula."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def datetime_cell(sheet, value):
    return styled_cell(sheet, value, number_format=DATETIME_FORMAT) if value is not None else None
