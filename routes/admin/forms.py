"""Accounts and the Settings page. The set-up wizard asks for the organisation and mail
settings with the same fields."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, EmailField, IntegerField, PasswordField, RadioField, SelectChoice, SelectField,
                     SelectMultipleField, StringField)
from wtforms.validators import (URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from services.accounts.users import MIN_PASSWORD_LENGTH
from services.queue.setup import active_counters
from services.settings import is_valid_timezone, timezone_choices
from web.forms import USERNAME_RULE, language_choices, new_password_fields, optional_id, role_choices, strip_text


def counter_choices():
    counters = active_counters()
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
                "default_locale": self.default_locale.data,
                "public_url": (self.public_url.data or "").rstrip("/") or None}  # empty: not set, as before

    def validate_timezone(self, field):
        if not is_valid_timezone(field.data or ""):
            raise ValidationError(_l("Unknown timezone."))


# The ports whose encryption is fixed by convention (RFC 8314): 465 speaks TLS from the first byte,
# 587 starts plain and switches with STARTTLS. Other ports keep what the admin chose.
SECURITY_BY_PORT = {465: "ssl", 587: "starttls"}


def security_for_port(port, otherwise):
    return SECURITY_BY_PORT.get(port, otherwise)


def mail_security_of(use_tls, use_ssl):
    """The stored pair of switches as the one choice the form shows."""
    return "ssl" if use_ssl else "starttls" if use_tls else "none"


class MailFields:
    mail_server = StringField(_l("SMTP server"), validators=[Optional(), Length(max=255)])
    mail_port = IntegerField(_l("SMTP port"), default=587, validators=[Optional(), NumberRange(1, 65535)])
    mail_username = StringField(_l("SMTP username"), validators=[Optional(), Length(max=255)])
    mail_password = PasswordField(_l("SMTP password"), validators=[Optional(), Length(max=255)],
                                  description=_l("Leave empty to keep the stored password."))
    mail_security = RadioField(
        _l("Encryption"), default="starttls",
        choices=[SelectChoice("starttls", _l("STARTTLS (port 587)")), SelectChoice("ssl", _l("SSL/TLS (port 465)")),
                 SelectChoice("none", _l("None (a relay inside your network)"))],
        description=_l("It follows the port: 587 uses STARTTLS and 465 SSL/TLS. Change it only if your mail "
                       "provider says otherwise."))
    mail_default_sender = EmailField(_l("Sender address"), validators=[Optional(), Email(), Length(max=255)])

    def chosen_security(self):
        """What the admin chose; a form sent without the choice (an older page, a script) follows the port."""
        if self.mail_security.raw_data:
            return self.mail_security.data
        return security_for_port(self.mail_port.data or 587, self.mail_security.data or "starttls")

    def validate_mail_security(self, field):
        port = self.mail_port.data
        if not field.raw_data or port not in SECURITY_BY_PORT or field.data == "none":
            return
        if field.data != SECURITY_BY_PORT[port]:
            raise ValidationError(_l("Port 465 speaks SSL/TLS from the start; choose SSL/TLS, or port 587 for "
                                     "STARTTLS.") if port == 465 else
                                  _l("Port 587 starts without encryption and switches with STARTTLS; choose "
                                     "STARTTLS, or port 465 for SSL/TLS."))

    def mail_settings(self, keep_password=None):
        security = self.chosen_security()
        return {
            "mail_server": (self.mail_server.data or "").strip() or None,
            "mail_port": self.mail_port.data or 587,
            "mail_username": (self.mail_username.data or "").strip() or None,
            "mail_password": self.mail_password.data or keep_password,
            "mail_use_tls": security == "starttls",
            "mail_use_ssl": security == "ssl",
            "mail_default_sender": (self.mail_default_sender.data or "").strip() or None,
        }


class DisplayFields:
    display_chime = BooleanField(_l("Chime on each call"))
    display_flash = BooleanField(_l("Highlight each call"))
    display_speech = BooleanField(_l("Announce each call aloud"))
    display_recent_count = IntegerField(_l("Previous calls shown"), default=6,
                                        validators=[InputRequired(), NumberRange(0, 12)])
    display_voice = SelectField(_l("Voice"), default="clips", choices=[
        SelectChoice("clips", _l("Recorded voice (works offline on every screen)")),
        SelectChoice("browser", _l("The screen's own voice, when it has one"))])
    receipt_printer = StringField(
        _l("Network receipt printer"), filters=[strip_text], default="",
        validators=[Optional(), Length(max=100), Regexp(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?\Z",
                                                        message=_l("An address like 192.168.1.50:9100."))],
        description=_l("An ESC/POS printer on the network (port 9100 unless given). Empty: receipts print "
                       "from the kiosk's browser."))

    def display_settings(self):
        return {"display_chime": bool(self.display_chime.data), "display_flash": bool(self.display_flash.data),
                "display_speech": bool(self.display_speech.data),
                "display_recent_count": self.display_recent_count.data, "display_voice": self.display_voice.data,
                "receipt_printer": self.receipt_printer.data or ""}


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
    requester_priority = BooleanField(_l("People filing a ticket may choose its priority"),
                                      description=_l("Off: the category decides. Staff always may."))

    def validate_attachment_max_files(self, field):
        # A reply with every file at the largest size must still fit in one request.
        limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024) - 1
        if self.attachment_max_mb.data and field.data and self.attachment_max_mb.data * field.data > limit_mb:
            raise ValidationError(_l("Files × size may not exceed %(mb)d MB (MAX_CONTENT_LENGTH_MB).", mb=limit_mb))

    def helpdesk_settings(self):
        return {**{name: getattr(self, name).data for name in
                   ("attachment_max_mb", "attachment_max_files", "attachment_retention_days", "auto_close_hours")},
                "requester_priority": bool(self.requester_priority.data)}


class SettingsForm(OrganisationFields, MailFields, DisplayFields, HelpdeskFields, FlaskForm):
    allow_registration = BooleanField(_l("People may create their own requester account"))
    # Not a setting: where the "Send a test mail" button sends it (the admin's own address by default).
    test_mail_to = EmailField(_l("Send a test mail to"), filters=[strip_text],
                              validators=[Optional(), Email(), Length(max=255)])

    @classmethod
    def for_settings(cls, stored, **kwargs):
        """The form filled with the settings in force (the two mail switches as one choice)."""
        security = mail_security_of(stored.get("mail_use_tls"), stored.get("mail_use_ssl"))
        return cls(data={**stored, "mail_security": security}, **kwargs)
