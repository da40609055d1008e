"""Ticket exports: a list as Excel, CSV or PDF, and one ticket as PDF.

The list exports read the lists' query string: ?scope=mine|assigned|all plus their filters.
Without a scope an admin gets every ticket, an agent their work (assigned to them and the
unassigned ones of their areas) and anyone else the tickets they filed, the same list each
of them lands on. An unknown scope or a bad filter is a 400 naming the field; a scope above
one's role is a 403 (both as JSON when the client asks for it, else the error page).
"""
from io import BytesIO

from flask import Response, request, send_file, stream_with_context
from flask_login import current_user, login_required

from routes.helpdesk import bp
from services.helpdesk import exports as ticket_exports
from services.helpdesk import pdf as pdf_export
from services.helpdesk.access import visible_ticket
from services.helpdesk.queries import TicketFilters

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_STORE = {"Cache-Control": "private, no-store"}  # the files hold people's names and messages


def export_request():
    """The scope (checked against the role) and the filters asked for; raises a DomainError."""
    scope = request.args.get("scope") or ticket_exports.default_scope(current_user)
    ticket_exports.check_scope(current_user, scope)
    return scope, TicketFilters.from_args(request.args)


def download(data, mimetype, filename):
    response = send_file(data, mimetype=mimetype, as_attachment=True, download_name=filename)
    response.headers.update(NO_STORE)
    return response


@bp.get("/tickets/export.xlsx")
@login_required
def export_xlsx():
    scope, filters = export_request()
    return download(ticket_exports.xlsx_file(current_user, scope, filters), XLSX_MIMETYPE,
                    ticket_exports.export_filename("xlsx"))


@bp.get("/tickets/export.csv")
@login_required
def export_csv():
    scope, filters = export_request()
    chunks = ticket_exports.csv_chunks(current_user, scope, filters)
    filename = ticket_exports.export_filename("csv")
    return Response(stream_with_context(chunks), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', **NO_STORE})


@bp.get("/tickets/export.pdf")
@login_required
def export_pdf():
    scope, filters = export_request()
    return download(BytesIO(pdf_export.list_pdf(current_user, scope, filters)), "application/pdf",
                    ticket_exports.export_filename("pdf"))


@bp.get("/tickets/<int:ticket_id>/export.pdf")
@login_required
def ticket_pdf(ticket_id):
    ticket = visible_ticket(ticket_id, current_user)
    return download(BytesIO(pdf_export.ticket_pdf(ticket, current_user)), "application/pdf",
                    f"{ticket.number}.pdf")
