"""The application factory: configuration, extensions, blueprints, socket handlers, CLI."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import cli
import http_errors
import i18n
import markup
import realtime
import security
from config import build_config, load_or_create_secret_key, parse_origins
from extensions import babel, csrf, db, init_cors, jwt, limiter, login_manager, mail, migrate, socketio


def create_app(overrides=None):
    overrides = overrides or {}
    config = build_config(overrides.get("INSTANCE_DIR"))
    config.update(overrides)
    config["CORS_ORIGINS"] = parse_origins(config.get("CORS_ORIGINS", ""))
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = load_or_create_secret_key(config["INSTANCE_DIR"])
    app = Flask(__name__, instance_path=config["INSTANCE_DIR"], instance_relative_config=False)
    app.config.update(config)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["DEFAULT_LOCALE"])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "UTC")

    if app.config["TRUSTED_PROXIES"]:
        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count)

    configure_extensions(app)
    configure_blueprints(app)
    security.init_app(app)
    http_errors.init_app(app)
    markup.init_app(app)
    realtime.init_app(app)
    cli.init_app(app)
    return app


def configure_extensions(app):
    import models  # noqa: F401  (registers every table with the metadata before Alembic looks)

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
    from routes import BoundedIntConverter
    from routes.admin import bp as admin_bp
    from routes.admin_helpdesk import bp as admin_helpdesk_bp
    from routes.admin_queue import bp as admin_queue_bp
    from routes.api import bp as api_bp
    from routes.api_docs import bp as api_docs_bp
    from routes.api_queue import bp as api_queue_bp
    from routes.api_tickets import bp as api_tickets_bp
    from routes.auth import bp as auth_bp
    from routes.chat import bp as chat_bp
    from routes.helpdesk import bp as helpdesk_bp
    from routes.main import bp as main_bp
    from routes.notifications import bp as notifications_bp
    from routes.queue import bp as queue_bp
    from routes.reports import bp as reports_bp
    from routes.setup import bp as setup_bp

    app.url_map.converters["int"] = BoundedIntConverter

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(setup_bp)
    app.register_blueprint(queue_bp)
    app.register_blueprint(helpdesk_bp)
    app.register_blueprint(chat_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(admin_queue_bp, url_prefix="/admin")
    app.register_blueprint(admin_helpdesk_bp, url_prefix="/admin")
    app.register_blueprint(reports_bp, url_prefix="/admin")
    app.register_blueprint(api_bp, url_prefix="/api")
    app.register_blueprint(api_queue_bp, url_prefix="/api/queue")
    app.register_blueprint(api_tickets_bp, url_prefix="/api/tickets")
    app.register_blueprint(api_docs_bp, url_prefix="/api")
    # The JSON API authenticates with a Bearer token, never a cookie, so CSRF does not apply.
    csrf.exempt(api_bp)
    csrf.exempt(api_queue_bp)
    csrf.exempt(api_tickets_bp)
