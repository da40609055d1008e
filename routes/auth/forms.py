"""Signing in, registering, one's own password and profile."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import Email, InputRequired, Length

from web.forms import USERNAME_RULE, language_choices, new_password_fields


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
