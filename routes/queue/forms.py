"""Services (with their opening hours), counters, named call screens, and the dashboard's filter."""
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from web.forms import MultiCheckboxField, strip_text

WEEKDAY_LABELS = [("mon", _l("Monday")), ("tue", _l("Tuesday")), ("wed", _l("Wednesday")),
                  ("thu", _l("Thursday")), ("fri", _l("Friday")), ("sat", _l("Saturday")), ("sun", _l("Sunday"))]


class ServiceForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), DataRequired(), Length(max=80)])
    prefix = StringField(_l("Queue ticket prefix"), validators=[
        InputRequired(), Regexp(r"^[A-Za-z]{1,3}\Z", message=_l("1 to 3 letters."))])
    color = StringField(_l("Colour"), default="#0d6efd", validators=[
        InputRequired(), Regexp(r"^#[0-9a-fA-F]{6}\Z", message=_l("A colour like #0d6efd."))])
    position = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(0, 999)])
    active = BooleanField(_l("Active"), default=True)

    def hours_fields(self):
        return [(day, label, self[f"hours_{day}"]) for day, label in WEEKDAY_LABELS]

    def hours_text(self):
        return {day: self[f"hours_{day}"].data for day, _ in WEEKDAY_LABELS}


for _day, _label in WEEKDAY_LABELS:
    setattr(ServiceForm, f"hours_{_day}", StringField(_label, validators=[Optional(), Length(max=120)]))


class CounterForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), DataRequired(), Length(max=40)])
    position = IntegerField(_l("Order"), default=0, validators=[Optional(), NumberRange(0, 999)])
    active = BooleanField(_l("Active"), default=True)


BAD_DATE = _l("Write the date as YYYY-MM-DD, for example 2024-05-31.")


class ReportForm(FlaskForm):
    """The dashboard's filter: a day (From alone or To alone), a range, or the whole history
    (`all_history`, which sets the dates aside); optionally one service."""

    class Meta:
        csrf = False  # a GET filter that changes nothing

    start = DateField(_l("From"), validators=[Optional()], invalid_value_message=BAD_DATE)
    end = DateField(_l("To"), validators=[Optional()], invalid_value_message=BAD_DATE)
    service = SelectField(_l("Service"), coerce=int, default=0,
                          invalid_value_message=_l("Choose one of the services listed."),
                          invalid_choice_message=_l("Choose one of the services listed."))
    all_history = BooleanField(_l("All history"))

    def validate_start(self, field):
        if not self.all_history.data:
            check_within_years(field)

    def validate_end(self, field):
        if self.all_history.data:
            return
        check_within_years(field)
        if self.start.data and field.data and field.data < self.start.data:
            raise ValidationError(_l("The end date is before the start date."))


def check_within_years(field):
    """Dates far outside any office's history would only overflow the date arithmetic."""
    if field.data and not date(2000, 1, 1) <= field.data <= date(2100, 12, 31):
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


class ScreenForm(FlaskForm):
    """A named call screen; the services' checkboxes are filled by the page."""

    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), Length(max=60)],
                       description=_l("Where the screen is, e.g. Waiting room, ground floor."))
    slug = StringField(_l("Address"), filters=[strip_text],
                       validators=[InputRequired(), Length(max=60),
                                   Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*\Z",
                                          message=_l("Lower-case letters, digits and dashes, like sala-de-espera."))],
                       description=_l("The TV opens /screen/ followed by this."))
    service_ids = MultiCheckboxField(_l("Services it shows"), coerce=int,
                                     description=_l("None ticked: every service."))
    locale = SelectField(_l("Language"), default="", choices=lambda: [
        SelectChoice("", _l("The organisation's")), SelectChoice("es", "Español"), SelectChoice("en", "English")])
    recent_count = IntegerField(_l("Previous calls shown"), validators=[Optional(), NumberRange(0, 12)],
                                description=_l("Empty: the number in Settings."))
    ticker = TextAreaField(_l("Message along the foot of the screen"), filters=[strip_text],
                           validators=[Optional(), Length(max=300)])
    active = BooleanField(_l("Active"), default=True)
