"""The set-up wizard's one form: the organisation, its mail server, the first admin and whether the
helpdesk starts with the suggested catalogue."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectChoice, StringField
from wtforms.validators import Email, InputRequired, Length

from routes.admin.forms import MailFields, OrganisationFields
from web.forms import USERNAME_RULE, new_password_fields


class SetupForm(OrganisationFields, MailFields, FlaskForm):
    admin_username = StringField(_l("Administrator username"), validators=[InputRequired(), USERNAME_RULE])
    admin_email = EmailField(_l("Administrator email"), validators=[InputRequired(), Email(), Length(max=255)])
    admin_full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    new_password, confirm_password = new_password_fields()
    starter_catalogue = RadioField(
        _l("Helpdesk catalogue"), default="yes",
        choices=[SelectChoice("yes", _l("Start with the suggested areas and categories")),
                 SelectChoice("no", _l("Start empty: I will create my own"))])

    def wants_starter_catalogue(self):
        # A form sent without the choice (a script, an older page) gets what the page suggests.
        return self.starter_catalogue.data != "no"
