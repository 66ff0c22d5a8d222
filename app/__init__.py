"""Kohtaamo: the application factory. Wiring only: no database or index work at start."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, g, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter

from app.config import BASE_DIR, load_config
from app.core import db as core_db
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Create a configured Kohtaamo application."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
        instance_path=str(Path(load_config(config_name, overrides)["INSTANCE_DIR"])),
        instance_relative_config=False,
    )
    app.config.from_mapping(load_config(config_name, overrides))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.debug:
        logging.basicConfig(level=logging.INFO)

    _init_extensions(app)
    _init_requests(app)
    _register_blueprints(app)
    _register_cli(app)
    _init_templates(app)
    _wrap_wsgi(app)
    return app


def _wrap_wsgi(app: Flask) -> None:
    """Behind `PROXY_FIX_HOPS` reverse proxies, trust that many X-Forwarded-For/-Proto entries
    (the limiter then keys on the real client); with 0 they are ignored and cannot be forged.
    Outermost, the request log: one line per request, with its id."""
    from werkzeug.middleware.proxy_fix import ProxyFix

    from app.core.requestlog import RequestLogMiddleware

    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.wsgi_app = RequestLogMiddleware(app.wsgi_app)


def _init_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (the whole schema, for Alembic and relationships)
    from app.core.i18n import select_locale

    _engine_timeouts(app)
    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            core_db.configure_engine(engine, busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
                                     lock_timeout_ms=app.config["PG_LOCK_TIMEOUT_MS"])
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = _l("Sign in to see this page.")
    login_manager.session_protection = "basic"

    from app.auth.sessions import init_login_manager

    init_login_manager(login_manager)


def _engine_timeouts(app: Flask) -> None:
    """PostgreSQL: give up connecting after a few seconds (an unreachable database answers a
    503 page, not a hung worker)."""
    uri = str(app.config.get("SQLALCHEMY_DATABASE_URI", ""))
    if not uri.startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", 5)
    options["connect_args"] = connect_args
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _init_requests(app: Flask) -> None:
    from app.core import outbox
    from app.core.errors import init_error_handlers
    from app.core.security import init_security_headers

    @app.before_request
    def _transaction_intent():
        core_db.set_write_intent(request.method not in SAFE_METHODS)
        g.request_language = None

    from app.core.requestlog import remember_user

    init_security_headers(app)
    init_error_handlers(app)
    app.after_request(remember_user)
    outbox.init_app(app)  # sends, after a request, the mail that it committed


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` that stops at the largest database id, so a 30-digit id is a 404, not an
    overflow deep in the database driver."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    from app.announcements import bp as announcements_bp
    from app.api import bp as api_bp
    from app.applications import bp as applications_bp
    from app.auth import bp as auth_bp
    from app.calls import bp as calls_bp
    from app.core.health import bp as health_bp
    from app.events import bp as events_bp
    from app.follows import bp as follows_bp
    from app.main import bp as main_bp
    from app.notifications import bp as notifications_bp
    from app.organisations import bp as organisations_bp
    from app.partners import bp as partners_bp
    from app.practices import bp as practices_bp
    from app.projects import bp as projects_bp
    from app.questions import bp as questions_bp
    from app.reviews import bp as reviews_bp
    from app.search.admin_views import bp as search_admin_bp
    from app.search.status_views import bp as search_status_bp
    from app.search.views import bp as search_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(calls_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(practices_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(search_admin_bp)
    app.register_blueprint(search_status_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(announcements_bp)
    app.register_blueprint(follows_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)


def _register_cli(app: Flask) -> None:
    from app.auth.cli import users_cli
    from app.core.backup_cli import backup_cli
    from app.core.mail_cli import mail_cli
    from app.demo.cli import demo_cli
    from app.follows.cli import follows_cli
    from app.practices.cli import practices_cli
    from app.projects.cli import reports_cli
    from app.reviews.cli import reviews_cli
    from app.search.cli import search_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(practices_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(reviews_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(follows_cli)


def _init_templates(app: Flask) -> None:
    from app.core import templating

    templating.init_app(app)
