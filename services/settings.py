"""Run-time settings: stored in the `settings` table, defaulting to the environment.

Reads are cached for the current application context (one query per request at most).
"""
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app, g
from sqlalchemy import select

from extensions import db
from models import Setting
from services import audit

# key -> name of the config value that gives its default (or a literal default)
DEFAULTS = {
    "organisation_name": "ORGANISATION_NAME",
    "timezone": "TIMEZONE",
    "default_locale": "DEFAULT_LOCALE",
    "allow_registration": "ALLOW_REGISTRATION",
    "public_url": "PUBLIC_URL",
    "mail_server": "MAIL_SERVER",
    "mail_port": "MAIL_PORT",
    "mail_username": "MAIL_USERNAME",
    "mail_password": "MAIL_PASSWORD",
    "mail_use_tls": "MAIL_USE_TLS",
    "mail_use_ssl": "MAIL_USE_SSL",
    "mail_default_sender": "MAIL_DEFAULT_SENDER",
}
# Settings with a fixed default rather than one from the environment.
FIXED_DEFAULTS = {
    "display_chime": True,  # public call screen: chime on each call
    "display_flash": True,  # ... highlight the new call
    "display_speech": True,  # ... announce it with the browser's speech synthesis
    "display_recent_count": 6,  # ... how many earlier calls it lists
    "attachment_max_mb": 5,  # helpdesk: largest file accepted
    "attachment_max_files": 5,  # ... files per ticket or reply
    "attachment_retention_days": 7,  # files of tickets closed longer ago are removed
    "auto_close_hours": 72,  # close when the requester has not answered a staff reply for this long
}
SECRET_KEYS = {"mail_password"}


def _load():
    if "settings_cache" not in g:
        stored = {row.key: row.value for row in db.session.scalars(select(Setting))}
        values = {key: current_app.config.get(source) for key, source in DEFAULTS.items()}
        values.update(FIXED_DEFAULTS)
        values.update({key: value for key, value in stored.items()})
        g.settings_cache = values
    return g.settings_cache


def get_setting(key):
    return _load().get(key)


def all_settings():
    return dict(_load())


def forget_cached():
    g.pop("settings_cache", None)


def save_settings(changes, actor):
    """Store changed values and audit them (secrets are audited as changed, never their value)."""
    current = _load()
    before, after = {}, {}
    for key, value in changes.items():
        if key not in DEFAULTS and key not in FIXED_DEFAULTS:
            raise KeyError(f"unknown setting {key}")
        if current.get(key) == value:
            continue
        row = db.session.get(Setting, key)
        if row is None:
            db.session.add(Setting(key=key, value=value))
        else:
            row.value = value
        shown_before, shown_after = current.get(key), value
        if key in SECRET_KEYS:
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
