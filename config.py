"""Settings read from the environment (and `.env`). Every knob has a safe default.

Every key the code reads from `app.config` is declared in `build_config` below (or is one of
Flask's own); tests/test_config.py fails on a read of anything else, so a misspelt key is caught
in CI instead of falling back to a default.

Values an administrator changes at run time (organisation name, SMTP, ...) live in the
`settings` table instead; see services/settings.py. The environment gives their defaults.
"""
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
load_dotenv(BASE_DIR / ".env")

INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH") or BASE_DIR / "instance")


def env_str(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name, default):
    value = env_str(name)
    try:
        return int(value) if value is not None else default
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, got {value!r}") from None


def env_bool(name, default=False):
    value = env_str(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_timezone(name, default):
    value = env_str(name, default)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise RuntimeError(f"{name}={value!r} is not a known timezone (e.g. America/Lima)") from None
    return value


ORIGIN_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def parse_origins(value, name="CORS_ORIGINS"):
    """A comma-separated list (or a list) of exact origins such as https://app.example.org.
    "*" and anything that is not a plain scheme://host[:port] is refused: a typo must not open the API."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    origins = [item.strip().rstrip("/") for item in items if item and item.strip()]
    for origin in origins:
        if not ORIGIN_PATTERN.match(origin):
            raise RuntimeError(f"{name}: {origin!r} is not an origin like https://app.example.org (no '*')")
    return origins


def load_or_create_secret_key(instance_dir):
    """A random key generated on first start and kept in instance/, so sessions survive restarts."""
    key_file = Path(instance_dir) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Create with owner-only permissions; never overwrite a key another process just wrote.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def build_config(instance_dir=None):
    """The configuration as a plain dict; create_app(overrides) may replace any of it.

    SECRET_KEY stays None when unset: create_app then generates one and keeps it in instance/.
    """
    instance_dir = Path(instance_dir or INSTANCE_DIR)
    secret_key = env_str("SECRET_KEY")
    idle_minutes = env_int("SESSION_IDLE_MINUTES", 30)
    redis_url = env_str("REDIS_URL")
    return {
        "INSTANCE_DIR": str(instance_dir),
        "SECRET_KEY": secret_key,
        "SECRET_KEY_SOURCE": "environment" if secret_key else "instance file",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            env_str("DATABASE_URL", f"sqlite:///{instance_dir / 'servicedesk.db'}")
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        # Server
        "HOST": env_str("HOST", "127.0.0.1"),
        "PORT": env_int("PORT", 5000),
        # run.py and wsgi.py pass the mode ASYNC_MODE asks for (eventlet by default); everything
        # else that builds the app (the flask CLI, jobs, tests) runs threaded, never unpatched eventlet.
        "ASYNC_MODE": "threading",
        "SOCKETIO_ALLOWED_ORIGINS": [o for o in env_str("SOCKETIO_ALLOWED_ORIGINS", "").split(",") if o],
        # The Redis pub/sub channel of Socket.IO: channels are shared by every database number of a
        # Redis server, so two installations on one Redis need different channels.
        "SOCKETIO_CHANNEL": env_str("SOCKETIO_CHANNEL", "flask-socketio"),
        "TRUSTED_PROXIES": env_int("TRUSTED_PROXIES", 0),
        # Origins of separate front ends that may call the JSON API (/api/*); empty: none.
        "CORS_ORIGINS": parse_origins(env_str("CORS_ORIGINS", "")),
        # Organisation defaults (the setup wizard and admin settings override these)
        "ORGANISATION_NAME": env_str("ORGANISATION_NAME", "Service Desk"),
        "TIMEZONE": env_timezone("TIMEZONE", "America/Mexico_City"),
        "DEFAULT_LOCALE": env_str("DEFAULT_LOCALE", "es"),
        "LANGUAGES": ["es", "en"],
        "ALLOW_REGISTRATION": env_bool("ALLOW_REGISTRATION", True),
        "PASSWORD_HASH_METHOD": env_str("PASSWORD_HASH_METHOD", "scrypt"),
        # Sessions
        "SESSION_IDLE_MINUTES": idle_minutes,
        # The cookie outlives the idle limit so the idle check (web/security.py) can say why it ended.
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=max(idle_minutes * 2, 12 * 60)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_bool("SESSION_COOKIE_SECURE", False),
        # A form token lasts as long as its session: kiosk and panel pages stay open all day.
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": env_int("MAX_CONTENT_LENGTH_MB", 32) * 1024 * 1024,
        # Helpdesk attachments: kept outside static/ so only the download routes serve them.
        "UPLOAD_DIR": env_str("UPLOAD_DIR", str(instance_dir / "uploads")),
        # Rate limits (Flask-Limiter); Redis storage when REDIS_URL is set
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env_str("LOGIN_RATE_LIMIT", "10 per minute"),
        "REGISTER_RATE_LIMIT": env_str("REGISTER_RATE_LIMIT", "5 per hour"),
        "PUBLIC_TICKET_RATE_LIMIT": env_str("PUBLIC_TICKET_RATE_LIMIT", "5 per minute; 30 per day"),
        "CAPTCHA_RATE_LIMIT": env_str("CAPTCHA_RATE_LIMIT", "30 per minute"),
        # JSON API tokens
        "JWT_SECRET_KEY": env_str("JWT_SECRET_KEY"),  # falls back to SECRET_KEY
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(minutes=env_int("JWT_EXPIRES_MINUTES", 60)),
        "JWT_TOKEN_LOCATION": ["headers"],
        # Mail defaults (the setup wizard may store its own)
        "MAIL_SERVER": env_str("MAIL_SERVER"),
        "MAIL_PORT": env_int("MAIL_PORT", 587),
        "MAIL_USERNAME": env_str("MAIL_USERNAME"),
        "MAIL_PASSWORD": env_str("MAIL_PASSWORD"),
        "MAIL_USE_TLS": env_bool("MAIL_USE_TLS", True),
        "MAIL_USE_SSL": env_bool("MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": env_str("MAIL_DEFAULT_SENDER"),
        "MAIL_TIMEOUT": env_int("MAIL_TIMEOUT", 10),  # seconds the sender waits for the SMTP server
        # Where people reach the app, for links in mail; unset: the request's address, or HOST:PORT in jobs.
        "PUBLIC_URL": env_str("PUBLIC_URL"),
        # Scheduled jobs (mail, auto-close, file retention) run inside run.py / wsgi.py; turn this
        # off to run them from cron with `flask jobs run` instead.
        "JOBS_ENABLED": env_bool("JOBS_ENABLED", True),
        # Seeding
        "ADMIN_USERNAME": env_str("ADMIN_USERNAME", "admin"),
        "ADMIN_PASSWORD": env_str("ADMIN_PASSWORD"),
        "DEMO_PASSWORD": env_str("DEMO_PASSWORD", "demo1234"),
        # Presence: contacts hear someone went offline only if they are still away after this many
        # seconds (a page reload or a move to another page reconnects within it).
        "PRESENCE_OFFLINE_GRACE_SECONDS": env_int("PRESENCE_OFFLINE_GRACE_SECONDS", 3),
        # Babel: pages in the request's language (web/i18n.py); dates shown in the organisation's timezone
        "BABEL_TRANSLATION_DIRECTORIES": str(BASE_DIR / "translations"),
        "BABEL_DEFAULT_LOCALE": None,  # None: the DEFAULT_LOCALE in force (create_app)
        "BABEL_DEFAULT_TIMEZONE": "UTC",
    }


def normalise_database_url(url):
    """Accept the common `postgres://` spelling and pick the psycopg2 driver (README: "Database driver")."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url[len("postgresql://"):]
    return url
