"""Helpdesk tickets exported: a filtered list as Excel or CSV (PDFs: services/helpdesk/pdf.py).

The list exports read the lists' own scope, filters and order (services.ticket_queries), so an
export never holds a ticket its reader could not open. Rows are plain column tuples fetched
BATCH_SIZE at a time (a server-side cursor on PostgreSQL): the CSV is sent while it is read and
the workbook goes row by row into temporary files, so neither ever holds every ticket.

Times are on the organisation's clock without an offset (Excel has no time zones). Text a
person typed never becomes a spreadsheet formula; a reply's Markdown goes into the conversation
sheet as the plain text the page shows (services/markup.message_text: no asterisks, no HTML, links
with their address), so the cell reads like the ticket.
"""
import csv
import io
import tempfile

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import false, func, or_, true
from sqlalchemy.orm import aliased

from extensions import db
from models import Area, Category, Location, Priority, Role, Ticket, TicketComment, TicketStatus, User
from services.errors import NotAllowed, ValidationFailed
from services.helpdesk.access import staff_scope
from services.helpdesk.queries import SCOPES, apply_filters, ordered, scoped_query
from services.helpdesk.tickets import status_label
from services.markup import message_text  # the page's own cleaning
from services.spreadsheets import csv_value, neutralise_formula, styled_cell, take
from services.timeutil import local_now, organisation_tz, utcnow

BATCH_SIZE = 500
WIDTH_MAX = 60  # characters: wider columns make a sheet hard to read
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATETIME_WIDTH = 16  # what DATETIME_FORMAT shows
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# Aliases, so the export's joins never clash with a join the list's sort already made.
PriorityRow, CategoryRow, AreaRow = aliased(Priority), aliased(Category), aliased(Area)
LocationRow, Requester, Assignee, Author = aliased(Location), aliased(User), aliased(User), aliased(User)


def person_name(user):
    """SQL for User.display_name."""
    return func.coalesce(func.nullif(user.full_name, ""), user.username)


# (header, SQL expression, kind) in the order of the exported row. The last column is worked out
# from status and due time, so it has no expression.
COLUMNS = [
    (_l("Number"), Ticket.number, "text"),
    (_l("Title"), Ticket.title, "text"),
    (_l("Status"), Ticket.status, "status"),
    (_l("Priority"), PriorityRow.name, "text"),
    (_l("Category"), CategoryRow.name, "text"),
    (_l("Area"), AreaRow.name, "text"),
    (_l("Location"), LocationRow.name, "text"),
    (_l("Requester"), func.coalesce(person_name(Requester), Ticket.requester_name), "text"),
    (_l("Requester email"), func.coalesce(Requester.email, Ticket.requester_email), "text"),
    (_l("Assignee"), person_name(Assignee), "text"),
    (_l("Created"), Ticket.created_at, "datetime"),
    (_l("Updated"), Ticket.updated_at, "datetime"),
    (_l("First response"), Ticket.first_response_at, "datetime"),
    (_l("Due"), Ticket.due_at, "datetime"),
    (_l("Closed"), Ticket.closed_at, "datetime"),
    (_l("Overdue"), None, "yes_no"),
]
STATUS, DUE = 2, 13
AUTHOR_NAME = func.coalesce(person_name(Author), TicketComment.author_name)


# --- who exports what ------------------------------------------------------------------------------


def default_scope(user):
    """What an export link without ?scope= gives: an admin every ticket, an agent their work,
    anyone else the tickets they filed."""
    return {Role.ADMIN: "all", Role.AGENT: "assigned"}.get(user.role, "mine")


def check_scope(user, scope):
    """Everyone may export the tickets they filed; an agent their work; only an admin everything."""
    if scope not in SCOPES:
        raise ValidationFailed(_l("Unknown scope: choose mine, assigned or all."), field="scope")
    if scope == "assigned" and user.role != Role.AGENT:
        raise NotAllowed(_l("Only agents export the tickets they work on."), field="scope")
    if scope == "all" and user.role != Role.ADMIN:
        raise NotAllowed(_l("Only admins export every ticket."), field="scope")


def sees_internal_notes(user):
    """Whether an export for `user` may hold internal notes at all (then it says which are)."""
    return user.role in (Role.ADMIN, Role.AGENT)


def internal_notes_condition(user):
    """SQL: the tickets whose internal notes `user` may read, the ones they work on."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.AGENT:
        return staff_scope(user)
    return false()


def export_filename(extension, now=None):
    return f"tickets-{local_now(now).date().isoformat()}.{extension}"


# --- rows ------------------------------------------------------------------------------------------


def joined(query, *columns):
    """`query` (a select of tickets) giving `columns`, with the catalogue and people rows joined."""
    return (query.with_only_columns(*columns)
            .join_from(Ticket, CategoryRow, CategoryRow.id == Ticket.category_id)
            .join_from(Ticket, AreaRow, AreaRow.id == Ticket.area_id)
            .join_from(Ticket, PriorityRow, PriorityRow.id == Ticket.priority_id)
            .outerjoin_from(Ticket, LocationRow, LocationRow.id == Ticket.location_id)
            .outerjoin_from(Ticket, Requester, Requester.id == Ticket.requester_id)
            .outerjoin_from(Ticket, Assignee, Assignee.id == Ticket.assignee_id))


def ticket_query(user, scope, filters, now):
    base = ordered(apply_filters(scoped_query(user, scope), filters, now), filters)
    return joined(base, *[expression for _, expression, _ in COLUMNS if expression is not None])


class RowFormat:
    """Turns a fetched row into the exported values; labels are translated once, not per row."""

    def __init__(self, now):
        self.now = now
        self.tz = organisation_tz()
        self.statuses = {status: str(status_label(status)) for status in TicketStatus}
        self.yes, self.no = _("Yes"), _("No")

    def local(self, value):
        return value.astimezone(self.tz).replace(tzinfo=None, microsecond=0) if value is not None else None

    def ticket(self, row):
        values = []
        for (_name, _label, kind), value in zip(COLUMNS, row, strict=False):  # Overdue: no column
            if kind == "status":
                value = self.statuses[TicketStatus(value)]
            elif kind == "datetime":
                value = self.local(value)
            values.append("" if value is None and kind == "text" else value)
        overdue = row[STATUS] != TicketStatus.CLOSED and row[DUE] is not None and row[DUE] < self.now
        values.append(self.yes if overdue else self.no)
        return values

    def comment(self, row, with_internal):
        number, created, author, internal, body = row
        values = [number, self.local(created), author or ""]
        if with_internal:
            values.append(self.yes if internal else self.no)
        return values + [message_text(body)]


def ticket_batches(user, scope, filters, now):
    """Lists of exported rows, BATCH_SIZE at a time, in the list's order."""
    query = ticket_query(user, scope, filters, now).execution_options(yield_per=BATCH_SIZE)
    rows = RowFormat(now)
    for partition in db.session.execute(query).partitions():
        yield [rows.ticket(row) for row in partition]


def comment_query(user, scope, filters, now, *columns):
    """Comments of the exported tickets that `user` may read: public replies, and internal notes
    of the tickets they work on."""
    query = (apply_filters(scoped_query(user, scope), filters, now)
             .join(TicketComment, TicketComment.ticket_id == Ticket.id)
             .where(or_(TicketComment.internal.is_(False), internal_notes_condition(user))))
    return query.with_only_columns(*columns).outerjoin_from(TicketComment, Author,
                                                            Author.id == TicketComment.author_id)


def comment_batches(user, scope, filters, now):
    """Lists of conversation rows: ticket by ticket in the list's order, each in the order written."""
    columns = (Ticket.number, TicketComment.created_at, AUTHOR_NAME, TicketComment.internal, TicketComment.body)
    query = ordered(comment_query(user, scope, filters, now, *columns), filters).order_by(TicketComment.id)
    rows, with_internal = RowFormat(now), sees_internal_notes(user)
    for partition in db.session.execute(query.execution_options(yield_per=BATCH_SIZE)).partitions():
        yield [rows.comment(row, with_internal) for row in partition]


def headers():
    return [str(header) for header, _, _ in COLUMNS]


def comment_headers(user):
    names = [_("Ticket"), _("Time"), _("Author")]
    return names + ([_("Internal")] if sees_internal_notes(user) else []) + [_("Text")]


# --- CSV -------------------------------------------------------------------------------------------


def csv_chunks(user, scope, filters, now=None):
    """The CSV text in pieces (one per batch), with a BOM so Excel reads the accents right."""
    now = now or utcnow()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(headers())
    yield take(buffer)
    for batch in ticket_batches(user, scope, filters, now):
        writer.writerows([csv_value(value) for value in row] for row in batch)
        yield take(buffer)


# --- Excel -----------------------------------------------------------------------------------------


def fit(*lengths):
    return min(WIDTH_MAX, max(length or 0 for length in lengths) + 2)


def column_widths(user, scope, filters, now):
    """Widths from the longest value of each column, measured by the database in one query:
    write-only sheets need their widths before the first row."""
    measured = [func.max(func.length(expression)) for _, expression, kind in COLUMNS if kind == "text"]
    longest = iter(db.session.execute(joined(apply_filters(scoped_query(user, scope), filters, now),
                                             *measured)).one())
    fixed = {"status": max(len(str(status_label(status))) for status in TicketStatus),
             "datetime": DATETIME_WIDTH, "yes_no": max(len(_("Yes")), len(_("No")))}
    return [fit(len(str(header)), next(longest) if kind == "text" else fixed[kind]) for header, _, kind in COLUMNS]


def comment_widths(user, scope, filters, now, names):
    longest_author = db.session.scalar(comment_query(user, scope, filters, now, func.max(func.length(AUTHOR_NAME))))
    widths = [fit(len(names[0]), len("TKT-000000")), fit(len(names[1]), DATETIME_WIDTH),
              fit(len(names[2]), longest_author)]
    if sees_internal_notes(user):
        widths.append(fit(len(names[3]), len(_("Yes")), len(_("No"))))
    return widths + [100]  # long texts wrap inside a wide column


def start_sheet(workbook, title, names, widths):
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):  # before the first row, or openpyxl ignores them
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([styled_cell(sheet, name, font=Font(bold=True), fill=HEADER_FILL) for name in names])
    return sheet


def sheet_text(value):
    """Typed text as a spreadsheet may hold it: never a formula, and without the control
    characters XML forbids (openpyxl refuses them, which would fail the whole export)."""
    return neutralise_formula(ILLEGAL_CHARACTERS_RE.sub("", value)) if isinstance(value, str) else value


def column_cells(sheet, kinds):
    """One cell per column, styled once and refilled for every row. openpyxl writes a row the
    moment it is appended, so a cell may be reused; building and styling one per value would
    cost more than writing the whole sheet."""
    cells = []
    for kind in kinds:
        cell = WriteOnlyCell(sheet)
        if kind == "datetime":
            cell.number_format = DATETIME_FORMAT
        elif kind == "wrap":
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(cell)
    return cells


def filled(cells, row):
    values = []
    for cell, value in zip(cells, row, strict=True):
        if value is None or value == "":
            values.append(None)
            continue
        cell.value = sheet_text(value)
        if isinstance(value, str):
            cell.data_type = "s"  # text, never a formula or an error code like #N/A
        values.append(cell)
    return values


def write_rows(sheet, batches, kinds):
    """Appends every row and puts an autofilter over them; returns how many there were."""
    cells, count = column_cells(sheet, kinds), 0
    for batch in batches:
        for row in batch:
            sheet.append(filled(cells, row))
        count += len(batch)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(kinds))}{count + 1}"
    return count


def xlsx_file(user, scope, filters, now=None):
    """A temporary file holding the workbook, positioned at its start; the caller closes it.
    Sheet one lists the tickets; sheet two their conversation (internal notes only of the
    tickets `user` works on)."""
    now = now or utcnow()
    workbook = Workbook(write_only=True)
    tickets = start_sheet(workbook, _("Tickets"), headers(), column_widths(user, scope, filters, now))
    write_rows(tickets, ticket_batches(user, scope, filters, now),
               ["datetime" if kind == "datetime" else "text" for _, _, kind in COLUMNS])
    names = comment_headers(user)
    conversation = start_sheet(workbook, _("Conversation"), names,
                               comment_widths(user, scope, filters, now, names))
    write_rows(conversation, comment_batches(user, scope, filters, now),
               ["text", "datetime"] + ["text"] * (len(names) - 3) + ["wrap"])
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return output
