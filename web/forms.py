"""Form pieces every blueprint shares. Every form carries a CSRF token; labels go through
Flask-Babel. Each blueprint keeps its own forms beside its routes (routes/<feature>/forms.py)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectMultipleField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from models import Role
from services.accounts.users import MIN_PASSWORD_LENGTH

USERNAME_RULE = Regexp(r"^[A-Za-z0-9._-]{3,64}\Z",
                       message=_l("3 to 64 letters, digits, dots, dashes or underscores."))


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def optional_id(value):
    """Select values for an optional row: '' or None mean none (0)."""
    return int(value) if value not in (None, "") else 0


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


class MultiCheckboxField(SelectMultipleField):
    """A multiple choice shown as checkboxes: easier than a multi-select to tick on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
