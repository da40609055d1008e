"""The registrar's kiosk: a big button per open service, and the receipt it prints.

`/registro` serves a registrar at a desk (the navigation bar, "Print again", "Next person").
`/registro?mode=kiosk` is the same page for a public touch screen: no navigation bar, both
languages on the page, big targets, and a receipt page that says "Take your ticket" and goes
back to the start by itself (`return_after` seconds, 10 unless the kiosk's URL says otherwise),
in the organisation's language, ready for the next person.
"""
from io import BytesIO

import segno
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from models import QueueTicket, Role, Service
from routes.queue import bp
from services.errors import DomainError
from services.queue import line
from services.queue.display import active_services, waiting_counts
from services.queue.labels import priority_labels
from services.queue.printing import network_printer, status_url
from services.settings import default_locale
from web.forms import EmptyForm
from web.pages import form_id
from web.security import roles_required

RETURN_SECONDS = 10  # how long a public kiosk shows "Take your ticket" before the next person
RETURN_SECONDS_RANGE = (3, 120)
IDLE_RELOAD_SECONDS = 120  # an untouched kiosk reloads, so opening hours and counts stay current


def kiosk_args():
    """The query that keeps a public kiosk in kiosk mode from page to page: `mode=kiosk`, and
    `return_after` when its URL sets one."""
    if request.args.get("mode") != "kiosk":
        return {}
    args = {"mode": "kiosk"}
    if request.args.get("return_after", "").isdigit():
        args["return_after"] = request.args["return_after"]
    return args


def return_seconds():
    low, high = RETURN_SECONDS_RANGE
    raw = request.args.get("return_after", "")
    return max(low, min(high, int(raw))) if raw.isdigit() and len(raw) < 6 else RETURN_SECONDS


@bp.route("/registro", methods=["GET", "POST"])
@roles_required(Role.REGISTRAR, Role.ADMIN)
def kiosk():
    services = active_services()
    start = url_for("queue.kiosk", **kiosk_args())
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        service = db.session.get(Service, form_id("service_id"))
        priority = request.form.get("priority") or None
        if service is None or (priority and priority not in priority_labels()):
            flash(_("Choose one of the services shown."), "danger")
            return redirect(start)
        try:
            ticket = line.issue_ticket(service, priority, actor=current_user)
        except DomainError as error:
            flash(str(error), "warning")
            return redirect(start)
        return redirect(url_for("queue.print_ticket", ticket_id=ticket.id, **kiosk_args()))
    return render_template("queue/kiosk.html", services=services, form=EmptyForm(),
                           open_now={s.id: line.is_open(s) for s in services},
                           waiting=waiting_counts(services), priorities=priority_labels(),
                           kiosk_mode=bool(kiosk_args()), start_url=start, idle_reload_seconds=IDLE_RELOAD_SECONDS)


@bp.get("/registro/tickets/<int:ticket_id>")
@roles_required(Role.REGISTRAR, Role.ADMIN)
def print_ticket(ticket_id):
    ticket = db.get_or_404(QueueTicket, ticket_id)
    url = status_url(ticket)
    return render_template("queue/print_ticket.html", ticket=ticket, status_url=url, qr_svg=qr_svg(url),
                           ahead=line.people_ahead(ticket), priorities=priority_labels(),
                           kiosk_mode=bool(kiosk_args()), start_url=url_for("queue.kiosk", **kiosk_args()),
                           return_seconds=return_seconds(), start_locale=default_locale(),
                           # A network printer prints it already: the browser opens no print dialog.
                           browser_prints=network_printer() is None)


def qr_svg(data):
    """The QR code as an inline SVG with a viewBox and no size of its own, so CSS sizes the whole
    symbol (a width and height in the SVG made the CSS size crop it to its top-left corner).
    Its four-module quiet zone is part of the drawing."""
    buffer = BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", border=4, omitsize=True, xmldecl=False, svgns=True,
                                     nl=False, title=None, svgclass="receipt-qr-code", lineclass=None)
    return buffer.getvalue().decode()
