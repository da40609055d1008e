"""Forms of the calendar pages: the weekly business hours (a fixed grid of periods per weekday)
and a holiday. The rules a week must follow live in services/helpdesk/business_hours.py; the
form puts what it finds beside the period it is about."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, IntegerField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from services.helpdesk.business_hours import DAYS, HOLIDAY_NAME_MAX, period_errors
from web.forms import strip_text

PERIODS_PER_DAY = 3
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the field's step asks for them


class PeriodForm(Form):
    opens_at = TimeField(_l("Opens"), format=TIME_FORMATS, validators=[Optional()])
    closes_at = TimeField(_l("Closes"), format=TIME_FORMATS, validators=[Optional()])


class DayForm(Form):
    periods = FieldList(FormField(PeriodForm), min_entries=PERIODS_PER_DAY, max_entries=PERIODS_PER_DAY)


class BusinessHoursForm(FlaskForm):
    days = FieldList(FormField(DayForm), min_entries=len(DAYS), max_entries=len(DAYS))
    warning_percent = IntegerField(
        _l("“Due soon” when this share of the resolution time is left (%)"),
        validators=[InputRequired(), NumberRange(1, 90)],
        description=_l("The assignee is warned then, once. With 20, a priority of 24 hours is due soon with "
                       "4 h 48 min of working time left."))

    @classmethod
    def filled(cls, week, warning_percent):
        """The form showing the stored week ({weekday: [(opens_at, closes_at), ...]})."""
        days = [{"periods": [{"opens_at": opens, "closes_at": closes} for opens, closes in week[day]]}
                for day in DAYS]
        form = cls(data={"days": days, "warning_percent": warning_percent})
        for day_form in form.days:  # the blank periods after the stored ones
            while len(day_form.form.periods) < PERIODS_PER_DAY:
                day_form.form.periods.append_entry()
        return form

    def week(self):
        """{weekday: [(opens_at or None, closes_at or None), ...]} as typed."""
        return {day: [(period.form.opens_at.data, period.form.closes_at.data) for period in day_form.form.periods]
                for day, day_form in enumerate(self.days)}

    def period(self, day, index):
        return self.days[day].form.periods[index].form

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        self.period_errors = period_errors(self.week()) if valid else {}
        return valid and not self.period_errors

    def error_of(self, day, index):
        """The message for one period: its own (a time that is not a time) or the week's rules'."""
        period = self.period(day, index)
        own = period.opens_at.errors or period.closes_at.errors
        return own[0] if own else getattr(self, "period_errors", {}).get((day, index))


class HolidayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    name = StringField(_l("Name"), filters=[strip_text],
                       validators=[InputRequired(), DataRequired(), Length(max=HOLIDAY_NAME_MAX)])
