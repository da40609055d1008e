"""The helpdesk catalogues an admin keeps: areas, categories, priorities' hours, locations,
and agents."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from web.forms import MultiCheckboxField, optional_id, strip_text

MAX_SLA_HOURS = 8760
PHONE_RULE = Regexp(r"^[0-9 +()./#-]*\Z", message=_l("Digits, spaces and + ( ) - . / # only."))


class AreaForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), DataRequired(), Length(max=80)])
    description = TextAreaField(_l("Description"), filters=[strip_text], validators=[Optional(), Length(max=2000)])


class CategoryForm(FlaskForm):
    """Choices are filled by the page: active areas (plus the category's own) and the priorities."""

    area_id = SelectField(_l("Area"), coerce=optional_id, validators=[InputRequired()])
    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), DataRequired(), Length(max=120)])
    default_priority_id = SelectField(_l("Default priority"), coerce=optional_id, validators=[InputRequired()],
                                      description=_l("New tickets of this category start with this priority."))


class PriorityHoursForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), DataRequired(), Length(max=40)])
    response_hours = IntegerField(_l("First response within (hours)"),
                                  validators=[InputRequired(), NumberRange(1, MAX_SLA_HOURS)])
    resolution_hours = IntegerField(_l("Resolution within (hours)"),
                                    validators=[InputRequired(), NumberRange(1, MAX_SLA_HOURS)],
                                    description=_l("Sets the due time of new tickets."))

    def validate_resolution_hours(self, field):
        if field.data is not None and self.response_hours.data is not None and field.data < self.response_hours.data:
            raise ValidationError(_l("Resolution cannot take fewer hours than the first response."))


class LocationForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), DataRequired(), Length(max=120)])


class AgentForm(FlaskForm):
    """`area_ids` choices are filled by the page with the active areas."""

    area_ids = MultiCheckboxField(_l("Areas"), coerce=int)
    specialty = StringField(_l("Specialty"), filters=[strip_text], validators=[Optional(), Length(max=100)])
    phone = TelField(_l("Phone"), filters=[strip_text], validators=[Optional(), Length(max=40), PHONE_RULE])
    available = BooleanField(_l("Available for new tickets"),
                             description=_l("New tickets of their areas are assigned automatically only to "
                                            "available agents."))
