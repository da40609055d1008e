"""Flask-WTF forms. Every form carries a CSRF token; labels go through Flask-Babel."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, IntegerField, PasswordField, SelectChoice, SelectField,
                     SelectMultipleField, StringField)
from wtforms.validators import (URL, DataRequired, Email, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from models import Role
from services.settings import is_valid_timezone, timezone_choices
from services.accounts.users import MIN_PASSWORD_LENGTH

USERNAME_RULE = Regexp(r"^[A-Za-z0-9._-]{3,64}\Z",
                       message=_l("3 to 64 letters, digits, dots, dashes or underscores."))


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def role_choices():
    labels = {
        Role.ADMIN: _l("Administrator"),
        Role.STAFF: _l("Counter staff"),
        Role.REGISTRAR: _l("Registrar (kiosk)"),
        Role.AGENT: _l("Helpdesk agent"),
        Role.USER: _l("Requester"),
    }
    return [SelectChoice(role.value, labels[role]) for role in Role]


def language_choices(with_automatic=False):
    choices = [SelectChoice("es", "Español"), SelectChoice("en", "English")]
    return ([SelectChoice("", _l("Automatic (browser)"))] if with_automatic else []) + choices


def new_password_fields():
    return (
        PasswordField(_l("New password"), validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=128)]),
        PasswordField(_l("Repeat the new password"),
                      validators=[InputRequired(), EqualTo("new_password", message=_l("The passwords do not match."))]),
    )


class EmptyForm(FlaskForm):
    """For buttons that POST (deactivate, delete, logout): only the CSRF token."""


class LoginForm(FlaskForm):
    login = StringField(_l("Username or email"), validators=[InputRequired(), Length(max=255)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=128)])


class RegisterForm(FlaskForm):
    username = StringField(_l("Username"), validators=[InputRequired(), USERNAME_RULE])
    email = EmailField(_l("Email"), validators=[InputRequired(), Email(), Length(max=255)])
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    new_password, confirm_password = new_password_fields()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=128)])
    new_password, confirm_password = new_password_fields()


class ProfileForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=lambda: language_choices(with_automatic=True))


def optional_id(value):
    """Select values for an optional row: '' or None mean none (0)."""
    return int(value) if value not in (None, "") else 0


def counter_choices():
    from extensions import db
    from models import Counter

    counters = db.session.scalars(db.select(Counter).where(Counter.active.is_(True)).order_by(Counter.position))
    return [SelectChoice(0, _l("None"))] + [SelectChoice(c.id, c.name) for c in counters]


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[InputRequired(), USERNAME_RULE])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=255)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=role_choices)
    counter_id = SelectField(_l("Counter (counter staff)"), coerce=optional_id, choices=counter_choices, default=0)
    allowed_counter_ids = SelectMultipleField(
        _l("Counters they may pick"), coerce=int, choices=lambda: counter_choices()[1:],
        description=_l("None selected: any active counter."))
    active = BooleanField(_l("Active"), default=True)


class NewUserForm(UserForm):
    new_password = PasswordField(
        _l("Temporary password"), validators=[InputRequired(), Length(min=MIN_PASSWORD_LENGTH, max=128)],
        description=_l("The user must change it at first login."),
    )


class ResetPasswordForm(FlaskForm):
    new_password, confirm_password = new_password_fields()


class OrganisationFields:
    organisation_name = StringField(_l("Organisation name"), filters=[strip_text],
                                    validators=[InputRequired(), DataRequired(), Length(max=120)])
    timezone = SelectField(_l("Timezone"), choices=lambda: [SelectChoice(tz) for tz in timezone_choices()])
    default_locale = SelectField(_l("Default language"), choices=language_choices)
    public_url = StringField(_l("Public address"), filters=[strip_text],
                             validators=[Optional(), URL(require_tld=False), Length(max=255)],
                             description=_l("The address people open the desk at, e.g. http://192.168.1.10:5000. "
                                            "Links in mail use it."))

    def organisation_settings(self):
        return {"organisation_name": self.organisation_name.data.strip(), "timezone": self.timezone.data,
                "default_locale": self.default_locale.data, "public_url": (self.public_url.data or "").rstrip("/")}

    def validate_timezone(self, field):
        if not is_valid_timezone(field.data or ""):
            raise ValidationError(_l("Unknown timezone."))


class MailFields:
    mail_server = StringField(_l("SMTP server"), validators=[Optional(), Length(max=255)])
    mail_port = IntegerField(_l("SMTP port"), default=587, validators=[Optional(), NumberRange(1, 65535)])
    mail_username = StringField(_l("SMTP username"), validators=[Optional(), Length(max=255)])
    mail_password = PasswordField(_l("SMTP password"), validators=[Optional(), Length(max=255)],
                                  description=_l("Leave empty to keep the stored password."))
    mail_use_tls = BooleanField(_l("Use STARTTLS"))
    mail_use_ssl = BooleanField(_l("Use SSL/TLS"))
    mail_default_sender = EmailField(_l("Sender address"), validators=[Optional(), Email(), Length(max=255)])

    def validate_mail_use_ssl(self, field):
        if field.data and self.mail_use_tls.data:
            raise ValidationError(_l("Choose STARTTLS or SSL/TLS, not both."))

    def mail_settings(self, keep_password=None):
        return {
            "mail_server": (self.mail_server.data or "").strip() or None,
            "mail_port": self.mail_port.data or 587,
            "mail_username": (self.mail_username.data or "").strip() or None,
            "mail_password": self.mail_password.data or keep_password,
            "mail_use_tls": bool(self.mail_use_tls.data),
            "mail_use_ssl": bool(self.mail_use_ssl.data),
            "mail_default_sender": (self.mail_default_sender.data or "").strip() or None,
        }


class DisplayFields:
    display_chime = BooleanField(_l("Chime on each call"))
    display_flash = BooleanField(_l("Highlight each call"))
    display_speech = BooleanField(_l("Announce each call aloud"))
    display_recent_count = IntegerField(_l("Previous calls shown"), default=6,
                                        validators=[InputRequired(), NumberRange(0, 12)])

    def display_settings(self):
        return {"display_chime": bool(self.display_chime.data), "display_flash": bool(self.display_flash.data),
                "display_speech": bool(self.display_speech.data),
                "display_recent_count": self.display_recent_count.data}


class HelpdeskFields:
    attachment_max_mb = IntegerField(_l("Largest attachment (MB)"), default=5,
                                     validators=[InputRequired(), NumberRange(1, 25)])
    attachment_max_files = IntegerField(_l("Attachments per ticket or reply"), default=5,
                                        validators=[InputRequired(), NumberRange(0, 20)])
    attachment_retention_days = IntegerField(
        _l("Remove the files of tickets closed more than (days) ago"), default=7,
        validators=[InputRequired(), NumberRange(1, 3650)])
    auto_close_hours = IntegerField(
        _l("Close a ticket when the requester has not answered a staff reply for (hours)"), default=72,
        validators=[InputRequired(), NumberRange(1, 24 * 365)])

    def validate_attachment_max_files(self, field):
        # A reply with every file at the largest size must still fit in one request.
        limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024) - 1
        if self.attachment_max_mb.data and field.data and self.attachment_max_mb.data * field.data > limit_mb:
            raise ValidationError(_l("Files × size may not exceed %(mb)d MB (MAX_CONTENT_LENGTH_MB).", mb=limit_mb))

    def helpdesk_settings(self):
        return {name: getattr(self, name).data for name in
                ("attachment_max_mb", "attachment_max_files", "attachment_retention_days", "auto_close_hours")}


class SettingsForm(OrganisationFields, MailFields, DisplayFields, HelpdeskFields, FlaskForm):
    allow_registration = BooleanField(_l("People may create their own requester account"))


class SetupForm(OrganisationFields, MailFields, FlaskForm):
    admin_username = StringField(_l("Administrator username"), validators=[InputRequired(), USERNAME_RULE])
    admin_email = EmailField(_l("Administrator email"), validators=[InputRequired(), Email(), Length(max=255)])
    admin_full_name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    new_password, confirm_password = new_password_fields()


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


# --- Helpdesk catalogues (admin) ------------------------------------------------------------

from wtforms import TelField, TextAreaField  # noqa: E402
from wtforms.widgets import CheckboxInput, ListWidget  # noqa: E402

MAX_SLA_HOURS = 8760
PHONE_RULE = Regexp(r"^[0-9 +()./#-]*\Z", message=_l("Digits, spaces and + ( ) - . / # only."))


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes: easier than a multi-select to tick on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AreaForm(FlaskForm):
    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), DataRequired(), Length(max=80)])
    description = TextAreaField(_l("Description"), filters=[strip_text], validators=[Optional(), Length(max=2000)])


class CategoryForm(FlaskForm):
    """Choices are filled by the page: active areas (plus the category's own) and the priorities."""

    area_id = SelectField(_l("Area"), coerce=optional_id, validators=[InputRequired()])
    name = StringField(_l("Name"), filters=[strip_text], validators=[InputRequired(), DataRequired(), Length(max=120)])
    default_priority_id = SelectField(_l("Default priority"), coerce=optional_id, validators=[InputRequired()],
                                      description=_l("New tickets of this category start with this priority."))


class PriorityForm(FlaskForm):
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
