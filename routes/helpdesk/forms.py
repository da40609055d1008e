"""Forms of the helpdesk pages. Choices come from the active catalogues when the form is built."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, HiddenField, MultipleFileField, SelectChoice, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import Email, InputRequired, Length, Optional

from services.helpdesk.catalogues import active_categories, active_locations, priorities_by_level
from services.helpdesk.tickets import BODY_MAX, NAME_MAX, TITLE_MAX
from web.forms import optional_id, strip_text


def category_choices():
    """"Choose…" first, selected until the person picks one (a preselected category sends hurried
    people's tickets to the wrong team), then the categories grouped by area (<optgroup>s)."""
    return [SelectChoice("", _l("Choose…")), *(
        SelectChoice(category.id, category.name, optgroup=category.area.name) for category in active_categories())]


def location_choices():
    return [(0, _l("— Not specified —"))] + [(location.id, location.name) for location in active_locations()]


def priority_choices(with_default=True):
    first = [(0, _l("From the category"))] if with_default else []
    return first + [(priority.id, priority.name) for priority in priorities_by_level()]


class TicketForm(FlaskForm):
    title = StringField(_l("Title"), filters=[strip_text], validators=[InputRequired(), Length(max=TITLE_MAX)])
    category_id = SelectField(_l("Category"), coerce=optional_id, validate_choice=False,
                              validators=[InputRequired(message=_l("Choose a category."))])
    location_id = SelectField(_l("Location"), coerce=int, default=0, validate_choice=False)
    priority_id = SelectField(_l("Priority"), coerce=int, default=0, validate_choice=False)
    description = TextAreaField(_l("Description"), filters=[strip_text],
                                validators=[InputRequired(), Length(max=BODY_MAX)],
                                description=_l("Markdown works: **bold**, *italics*, lists and links."))
    attachments = MultipleFileField(_l("Attachments"))

    def fill_choices(self, chooses_priority):
        """`chooses_priority`: the person filing sets the priority (tickets.may_choose_priority);
        otherwise the field goes and the category decides."""
        self.category_id.choices = category_choices()
        self.location_id.choices = location_choices()
        if chooses_priority:
            self.priority_id.choices = priority_choices()
        else:
            del self.priority_id

    def chosen_priority_id(self):
        """The priority picked, or None (the field is absent, or left to the category)."""
        return (self.priority_id.data or None) if "priority_id" in self else None


class PublicTicketForm(TicketForm):
    """Filing without an account: a name and an email to write back to, a CAPTCHA, and a field
    people never see (bots fill it in)."""

    name = StringField(_l("Your name"), filters=[strip_text], validators=[InputRequired(), Length(max=NAME_MAX)])
    email = EmailField(_l("Your email"), filters=[strip_text],
                       validators=[InputRequired(), Email(), Length(max=255)])
    captcha = StringField(_l("Characters in the image"), filters=[strip_text],
                          validators=[InputRequired(), Length(max=12)])
    website = StringField(_l("Leave this empty"), validators=[Optional()])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Message"), filters=[strip_text], validators=[Length(max=BODY_MAX)])
    internal = BooleanField(_l("Internal note (only staff see it)"))
    attachments = MultipleFileField(_l("Attachments"))


class StatusForm(FlaskForm):
    status = HiddenField(validators=[InputRequired()])


class PriorityForm(FlaskForm):
    priority_id = SelectField(_l("Priority"), coerce=int, validate_choice=False)


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Assigned to"), coerce=int, validate_choice=False)
