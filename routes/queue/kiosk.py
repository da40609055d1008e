"""The registrar's kiosk: a big button per open service, and the receipt it prints."""
from io import BytesIO

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from models import QueueTicket, Role, Service
from routes.queue import bp
from routes.queue.schemas import priority_labels
from services.errors import DomainError
from services.queue import line
from services.queue.display import active_services, waiting_counts
from web.forms import EmptyForm
from web.pages import form_id
from web.security import roles_required


@bp.route("/registro", methods=["GET", "POST"])
@roles_required(Role.REGISTRAR, Role.ADMIN)
def kiosk():
    services = active_services()
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        service = db.session.get(Service, form_id("service_id"))
        priority = request.form.get("priority") or None
        if service is None or (priority and priority not in priority_labels()):
            flash(_("Choose one of the services shown."), "danger")
            return redirect(url_for("queue.kiosk"))
        try:
            ticket = line.issue_ticket(service, priority, actor=current_user)
        except DomainError as error:
            flash(str(error), "warning")
            return redirect(url_for("queue.kiosk"))
        return redirect(url_for("queue.print_ticket", ticket_id=ticket.id))
    return render_template("queue/kiosk.html", services=services, form=EmptyForm(),
                           open_now={s.id: line.is_open(s) for s in services},
                           waiting=waiting_counts(services), priorities=priority_labels())


@bp.get("/registro/tickets/<int:ticket_id>")
@roles_required(Role.REGISTRAR, Role.ADMIN)
def print_ticket(ticket_id):
    ticket = db.get_or_404(QueueTicket, ticket_id)
    status_url = url_for("queue.ticket_status_page", token=ticket.token, _external=True)
    buffer = BytesIO()
    segno.make(status_url, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True,
                                           nl=False, title=None)
    return render_template("queue/print_ticket.html", ticket=ticket, status_url=status_url,
                           qr_svg=buffer.getvalue().decode(), ahead=line.people_ahead(ticket),
                           priorities=priority_labels())
