"""Queue dashboard and exports (admin): the figures page, its live JSON, CSV and Excel downloads.

All four read the same query string: ?start=YYYY-MM-DD&end=YYYY-MM-DD&service=<id>, each
optional (today, every service), or ?all_history=y (every day there is; the dates are set
aside). Bad values are shown beside the form field (400), or named in a JSON error for the
live endpoint.
"""
import math

from flask import Blueprint, Response, jsonify, render_template, request, send_file, stream_with_context
from flask_babel import format_date
from flask_babel import gettext as _

from models import Role
from routes.queue.forms import ReportForm
from services.queue import exports
from services.queue import setup as queue_setup
from services.queue.stats import ReportFilter, dashboard_stats
from services.timeutil import local_today, organisation_tz
from web.errors import error_response
from web.security import roles_required

bp = Blueprint("reports", __name__)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def service_choices():
    """Every service, inactive ones too: their tickets are still in the history."""
    return [(0, _("All services"))] + [(s.id, f"{s.prefix} · {s.name}") for s in queue_setup.all_services()]


def read_report():
    """The filter form from the query string, and the report it asks for (None when invalid)."""
    form = ReportForm(formdata=request.args)
    form.service.choices = service_choices()
    if not form.validate():
        return form, None
    service_id = form.service.data or None
    if form.all_history.data:
        form.start.data = form.end.data = None  # the form shows that no dates apply
        return form, ReportFilter.whole_history(service_id)
    first_day = form.start.data or form.end.data or local_today()
    last_day = form.end.data or first_day
    form.start.data, form.end.data = first_day, last_day  # the form shows the range it reports on
    return form, ReportFilter(first_day, last_day, service_id)


def report_query(report):
    """The query string that asks for `report` again (export links, the live endpoint)."""
    if report.is_whole_history:
        args = {"all_history": "y"}
    else:
        args = {"start": report.first_day.isoformat(), "end": report.last_day.isoformat()}
    return args | ({"service": report.service_id} if report.service_id else {})


def format_duration(seconds):
    """125.4 -> "2:05", 3725 -> "1:02:05"; rounds half up like the page's script."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(math.floor(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def period_label(report):
    if report.is_whole_history:
        return _("All history")
    first, last = format_date(report.first_day, "medium"), format_date(report.last_day, "medium")
    return first if first == last else f"{first} – {last}"


def invalid_filter_page(form):
    return render_template("queue/dashboard.html", form=form, stats=None), 400


@bp.get("")
@roles_required(Role.ADMIN)
def dashboard():
    form, report = read_report()
    if report is None:
        return invalid_filter_page(form)
    return render_template("queue/dashboard.html", form=form, stats=dashboard_stats(report),
                           query=report_query(report), period=period_label(report),
                           timezone=organisation_tz().key, duration=format_duration)


@bp.get("/stats.json")
@roles_required(Role.ADMIN)
def stats_json():
    form, report = read_report()
    if report is None:
        return error_response(400, "validation_error", _("Check the dates and the service, then try again."),
                              {name: errors[0] for name, errors in form.errors.items()})
    return jsonify(dashboard_stats(report))


@bp.get("/exports/queue-tickets.csv")
@roles_required(Role.ADMIN)
def export_csv():
    form, report = read_report()
    if report is None:
        return invalid_filter_page(form)
    filename = exports.export_filename(report, "csv")
    return Response(stream_with_context(exports.csv_chunks(report)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/exports/queue-tickets.xlsx")
@roles_required(Role.ADMIN)
def export_xlsx():
    form, report = read_report()
    if report is None:
        return invalid_filter_page(form)
    return send_file(exports.xlsx_file(report), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=exports.export_filename(report, "xlsx"))
