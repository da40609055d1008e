"""Run-time settings: what an admin changes in the web pages (organisation, SMTP, the call
screen, helpdesk limits), stored in the `settings` table, each defaulting to the environment
(config.py) or to a fixed value.

Each setting is declared once below and read through its own name: `organisation_name()`,
`auto_close_hours()`. A misspelt name fails when the module that uses it is imported, never
falls back to a silent default. Reads are cached for the current application context (one
query per request at most).
"""
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, g
from sqlalchemy import select

from extensions import db
from models import Setting as SettingRow
from services import audit

SETTINGS = {}  # key -> Setting, in the order declared


class Setting:
    """One run-time setting; calling it gives the value in force. Its default is the config
    value `from_config` names, else `default`. A secret is never written to the audit trail."""

    def __init__(self, key, *, from_config=None, default=None, secret=False):
        self.key, self.from_config, self.default, self.secret = key, from_config, default, secret
        SETTINGS[key] = self

    def default_value(self):
        return current_app.config[self.from_config] if self.from_config else self.default

    def __call__(self):
        return _load()[self.key]

    def __repr__(self):
        return f"<Setting {self.key}>"


# --- the organisation -------------------------------------------------------------------------
organisation_name = Setting("organisation_name", from_config="ORGANISATION_NAME")
timezone_name = Setting("timezone", from_config="TIMEZONE")
default_locale = Setting("default_locale", from_config="DEFAULT_LOCALE")
allow_registration = Setting("allow_registration", from_config="ALLOW_REGISTRATION")
public_url = Setting("public_url", from_config="PUBLIC_URL")  # where people open the desk; links in mail
# --- outgoing mail ----------------------------------------------------------------------------
mail_server = Setting("mail_server", from_config="MAIL_SERVER")
mail_port = Setting("mail_port", from_config="MAIL_PORT")
mail_username = Setting("mail_username", from_config="MAIL_USERNAME")
mail_password = Setting("mail_password", from_config="MAIL_PASSWORD", secret=True)
mail_use_tls = Setting("mail_use_tls", from_config="MAIL_USE_TLS")
mail_use_ssl = Setting("mail_use_ssl", from_config="MAIL_USE_SSL")
mail_default_sender = Setting("mail_default_sender", from_config="MAIL_DEFAULT_SENDER")
# --- the public call screen -------------------------------------------------------------------
display_chime = Setting("display_chime", default=True)  # chime on each call
display_flash = Setting("display_flash", default=True)  # highlight the new call
display_speech = Setting("display_speech", default=True)  # announce it with the browser's speech synthesis
display_recent_count = Setting("display_recent_count", default=6)  # how many earlier calls it lists
# ... whose voice: "clips" (the recorded voice shipped in static/sounds/voice, works offline on any
# browser) or "browser" (the browser's own voice when it has a local one, else the clips)
display_voice = Setting("display_voice", default="clips")
# --- the kiosk's receipts ---------------------------------------------------------------------
receipt_printer = Setting("receipt_printer", default="")  # host:port of an ESC/POS network printer; "" = none
# --- helpdesk ---------------------------------------------------------------------------------
attachment_max_mb = Setting("attachment_max_mb", default=5)  # largest file accepted
attachment_max_files = Setting("attachment_max_files", default=5)  # files per ticket or reply
attachment_retention_days = Setting("attachment_retention_days", default=7)  # files of tickets closed longer ago go
auto_close_hours = Setting("auto_close_hours", default=72)  # requester silent after a staff reply this long: close
sla_warning_percent = Setting("sla_warning_percent", default=20)  # "due soon": this share of the resolution time left
# People filing (requesters, someone without an account) may choose the priority; off: the category decides.
requester_priority = Setting("requester_priority", default=False)


def _load():
    if "settings_cache" not in g:
        stored = {row.key: row.value for row in db.session.scalars(select(SettingRow))}
        g.settings_cache = {key: stored[key] if key in stored else setting.default_value()
                            for key, setting in SETTINGS.items()}
    return g.settings_cache


def all_settings():
    """Every setting's value in force, by key (the Settings page fills its form with them)."""
    return dict(_load())


def forget_cached():
    g.pop("settings_cache", None)


def save_settings(changes, actor):
    """Store changed values and audit them (secrets are audited as changed, never their value)."""
    current = _load()
    before, after = {}, {}
    for key, value in changes.items():
        if key not in SETTINGS:
            raise KeyError(f"unknown setting {key}")
        if current.get(key) == value:
            continue
        row = db.session.get(SettingRow, key)
        if row is None:
            db.session.add(SettingRow(key=key, value=value))
        else:
            row.value = value
        shown_before, shown_after = current.get(key), value
        if SETTINGS[key].secret:
            shown_before, shown_after = "***" if shown_before else None, "***" if value else None
        before[key], after[key] = shown_before, shown_after
    if after:
        audit.record(actor, "settings.updated", "settings", before=before, after=after)
    db.session.commit()
    forget_cached()
    return after


def is_valid_timezone(name):
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def timezone_choices():
    regional = (tz for tz in available_timezones() if "/" in tz and not tz.startswith(("Etc/", "SystemV/")))
    return ["UTC", *sorted(regional)]
