"""KOKI SOFTWARE's public website: the application factory."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from koki_site import backups, consent, contact, mail, newsletter, pages, rights, staff, statistics
from koki_site.core import (
    addresses,
    audit,
    cli,
    database_ids,
    errors,
    formats,
    i18n,
    logs,
    metrics,
    runtime_settings,
    schema,
    secret_keys,
    security,
    static_files,
)
from koki_site.core.rate_limits import limiter
from koki_site.extensions import babel, csrf, db, login_manager

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The capabilities, each wired by its init_app, in the order their blueprints are registered.
CAPABILITIES = (pages, consent, contact, newsletter, rights, statistics, staff)


def create_app(test_config=None, instance_path=None):
    """Build the app: defaults, then instance/config.py, then FLASK_* variables, then test_config."""
    app = Flask(
        __name__,
        instance_path=str(instance_path or PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    load_config(app, test_config)
    logs.init_app(app)
    register_extensions(app)
    database_ids.init_app(app)  # before the blueprints: their routes take <id:…>
    register_blueprints(app)
    errors.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    backups.init_app(app)
    static_files.init_app(app)
    trust_proxies(app)
    return app


def load_config(app, test_config):
    app.config.from_object("koki_site.config")
    app.config["SESSION_COOKIE_SECURE"] = not app.debug
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        os.makedirs(app.instance_path, exist_ok=True)
        db_path = Path(app.instance_path) / "koki.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    check_secret_key(app)
    limit_statement_time(app)


def check_secret_key(app):
    """Refuse to start with a missing or guessable SECRET_KEY or BACKUP_KEY, except in debug and tests."""
    key = app.config.get("SECRET_KEY") or ""
    if app.debug or app.testing:
        if not key:  # a throwaway key: sessions and signed cookies last until the next restart
            app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    where = Path(app.instance_path) / "config.py"
    if not key or secret_keys.weakness(key) is not None:
        raise RuntimeError(secret_keys.refusal("SECRET_KEY", key, where))
    backup_key = app.config.get("BACKUP_KEY")
    # Unset, backups are off (the worker says so).
    if backup_key and secret_keys.weakness(backup_key) is not None:
        raise RuntimeError(secret_keys.refusal("BACKUP_KEY", backup_key, where))


def limit_statement_time(app):
    """On PostgreSQL, cancel a statement after DATABASE_STATEMENT_TIMEOUT_MS (SET by each connection)."""
    timeout = app.config["DATABASE_STATEMENT_TIMEOUT_MS"]
    if timeout and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect_args = dict(options.get("connect_args", {}))
        given = connect_args.get("options", "")  # libpq's own options (a search_path…) are kept
        connect_args["options"] = f"{given} -c statement_timeout={int(timeout)}".strip()
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def trust_proxies(app):
    """Behind PROXY_FIX_X_FOR / _X_PROTO proxies, take the client address and scheme from them.

    Never the host: absolute URLs come from SITE_URL, and TRUSTED_HOSTS judges the Host header.
    """
    x_for, x_proto = app.config["PROXY_FIX_X_FOR"], app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto, x_host=0, x_port=0, x_prefix=0)


def register_extensions(app):
    db.init_app(app)
    metrics.init_app(app)  # first: its count of responses runs after every other hook
    addresses.init_app(app)
    schema.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    formats.init_app(app)  # every template filter of dates, telephones, languages, sizes
    login_manager.init_app(app)
    limiter.init_app(app)
    audit.init_app(app)
    runtime_settings.init_app(app)
    mail.init_app(app)


def register_blueprints(app):
    """Each capability registers its blueprints, and provides its handlers to the register."""
    for capability in CAPABILITIES:
        capability.init_app(app)
