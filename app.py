"""The application factory: configuration, extensions, blueprints, subscribers, socket handlers, CLI."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import cli
import models  # noqa: F401  (registers every table with the metadata before Alembic looks)
import realtime
from config import build_config, load_or_create_secret_key, parse_origins
from extensions import babel, csrf, db, init_cors, jwt, limiter, login_manager, mail, migrate, socketio
from routes import main
from routes.admin import views as admin
from routes.api import auth as api_auth
from routes.api import docs as api_docs
from routes.api import queue as api_queue
from routes.api import tickets as api_tickets
from routes.auth import views as auth
from routes.first_run import views as first_run
from routes.helpdesk import bp as helpdesk_bp
from routes.helpdesk import catalogues as helpdesk_catalogues
from routes.helpdesk import sla_admin  # noqa: F401  (business hours and holidays join the catalogue pages' blueprint)
from routes.messaging import chat, notifications
from routes.queue import bp as queue_bp
from routes.queue import reports as queue_reports
from routes.queue import setup as queue_setup
from services import markup
from services.messaging import notifications as mail_and_bell
from services.queue import printing as receipt_printing
from web import errors, i18n, security
from web.pages import BoundedIntConverter

# (blueprint, URL prefix), in the order they are registered.
BLUEPRINTS = [
    (main.bp, None),
    (auth.bp, None),
    (first_run.bp, None),
    (queue_bp, None),
    (helpdesk_bp, None),
    (chat.bp, None),
    (notifications.bp, None),
    (admin.bp, "/admin"),
    (queue_setup.bp, "/admin"),
    (helpdesk_catalogues.bp, "/admin"),
    (queue_reports.bp, "/admin"),
    (api_auth.bp, "/api"),
    (api_queue.bp, "/api/queue"),
    (api_tickets.bp, "/api/tickets"),
    (api_docs.bp, "/api"),
]
# The JSON API authenticates with a Bearer token, never a cookie, so CSRF does not apply.
CSRF_EXEMPT = [api_auth.bp, api_queue.bp, api_tickets.bp]


def create_app(overrides=None):
    overrides = overrides or {}
    config = build_config(overrides.get("INSTANCE_DIR"))
    config.update(overrides)
    if "SECRET_KEY" in overrides:
        config["SECRET_KEY_SOURCE"] = "overrides"
    config["CORS_ORIGINS"] = parse_origins(config["CORS_ORIGINS"])
    config["BABEL_DEFAULT_LOCALE"] = config["BABEL_DEFAULT_LOCALE"] or config["DEFAULT_LOCALE"]
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = load_or_create_secret_key(config["INSTANCE_DIR"])
    app = Flask(__name__, instance_path=config["INSTANCE_DIR"], instance_relative_config=False)
    app.config.update(config)

    if app.config["TRUSTED_PROXIES"]:
        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)

    configure_extensions(app)
    configure_blueprints(app)
    security.init_app(app)
    errors.init_app(app)
    app.jinja_env.filters["message"] = markup.render_message  # what people wrote, as safe HTML
    configure_subscribers(app)
    cli.init_app(app)
    return app


def configure_extensions(app):
    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    jwt.init_app(app)
    limiter.init_app(app)
    init_cors(app)
    mail.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        channel=app.config["SOCKETIO_CHANNEL"],
        # None means same origin only; never "*".
        cors_allowed_origins=app.config["SOCKETIO_ALLOWED_ORIGINS"] or None,
        manage_session=False,
    )


def configure_blueprints(app):
    app.url_map.converters["int"] = BoundedIntConverter
    for blueprint, prefix in BLUEPRINTS:
        app.register_blueprint(blueprint, url_prefix=prefix)
    for blueprint in CSRF_EXEMPT:
        csrf.exempt(blueprint)


def configure_subscribers(app):
    """Who reacts to what the services announce (events.py): mail and the bell, then the sockets
    (which also register their own event handlers)."""
    mail_and_bell.subscribe()
    receipt_printing.subscribe()
    realtime.init_app(app)
