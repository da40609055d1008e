"""The organisation's calendar in the helpdesk settings (blueprint `admin_helpdesk`, admins only):
the weekly business hours with the "due soon" share, and the holidays. Due times count only
working time (services/helpdesk/sla.py).

It also gives every template the SLA helpers the ticket pages, lists and dashboard show
(`sla_status`, ...): app-wide, as the blueprint is registered for the whole app."""
from datetime import timedelta

from babel.dates import get_day_names
from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user

from extensions import db
from models import Holiday
from routes.helpdesk.catalogues import bp
from routes.helpdesk.sla_forms import PERIODS_PER_DAY, BusinessHoursForm, HolidayForm
from services.errors import DomainError
from services.helpdesk import business_hours as calendar_rules
from services.helpdesk import sla
from services.settings import save_settings, sla_warning_percent, timezone_name
from services.timeutil import local_today
from web.forms import EmptyForm
from web.pages import run_action, show_domain_error

bp.add_app_template_global(sla.status_of, "sla_status")
bp.add_app_template_global(sla.response_due, "sla_response_due")
bp.add_app_template_global(sla.left_when_resumed, "sla_left_when_resumed")
bp.add_app_template_global(sla.format_working, "working_time")
bp.add_app_template_global(sla.leading_number, "working_number")  # what ngettext around working_time agrees with


def day_names():
    """Monday first, capitalised ("Lunes"), in the page's language."""
    names = get_day_names("wide", locale=get_locale())
    return [names[day][:1].upper() + names[day][1:] for day in calendar_rules.DAYS]


def weekly_time(week):
    """The working time of a week as stored ("45 h"), or None when no hours are set."""
    minutes = calendar_rules.weekly_total_minutes(week)
    return sla.format_working(timedelta(minutes=minutes)) if minutes else None


@bp.route("/helpdesk/hours", methods=["GET", "POST"])
def business_hours():
    week = calendar_rules.weekly_hours()
    form = BusinessHoursForm() if request.method == "POST" else BusinessHoursForm.filled(week, sla_warning_percent())
    if form.validate_on_submit():
        try:
            changed = calendar_rules.save_weekly_hours(form.week(), current_user)
        except DomainError as error:  # the rules are checked by the form first; a race lands here
            db.session.rollback()
            flash(str(error), "danger")
        else:
            changed = bool(save_settings({"sla_warning_percent": form.warning_percent.data}, current_user)) or changed
            flash(_("Business hours saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("admin_helpdesk.business_hours"))
    return render_template("helpdesk/catalogues/hours.html", form=form, day_names=day_names(),
                           periods_per_day=PERIODS_PER_DAY, timezone=timezone_name(),
                           weekly_time=weekly_time(week))


@bp.route("/helpdesk/holidays", methods=["GET", "POST"])
def holidays():
    form = HolidayForm()
    if form.validate_on_submit():
        try:
            holiday = calendar_rules.add_holiday(form.day.data, form.name.data, current_user)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            flash(_("Holiday %(name)s added.", name=holiday.name), "success")
            return redirect(url_for("admin_helpdesk.holidays"))
    today = local_today()
    return render_template("helpdesk/catalogues/holidays.html", form=form, format_date=format_date,
                           upcoming=calendar_rules.holidays(since=today),
                           past=calendar_rules.past_holidays(before=today), action_form=EmptyForm())


@bp.post("/helpdesk/holidays/<int:holiday_id>/delete")
def delete_holiday(holiday_id):
    holiday = db.get_or_404(Holiday, holiday_id)
    return run_action(lambda: holiday, lambda holiday, form: calendar_rules.remove_holiday(holiday.id, current_user),
                      done=_("Holiday %(name)s deleted.", name=holiday.name), to=url_for("admin_helpdesk.holidays"))
