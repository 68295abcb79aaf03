"""Fixtures in the Flask tutorial's way: app, client, runner, and a fresh database per test.

The database is SQLite unless TEST_DATABASE_URL names another one (.ci/run gives PostgreSQL).
SQLite: the schema is migrated once into a template file, copied for each test.
PostgreSQL: migrated once per run, every table emptied after each test.
"""

import os
import shutil

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from koki_site import create_app
from koki_site.extensions import db
from tests.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer

SECRET = "tests-secret-key-0123456789abcdef0123456789abcdef"


def settings(database_url, **extra):
    return {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        **extra,
    }


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No FLASK_* variable of the developer's shell reaches the app under test."""
    for name in list(os.environ):
        if name.startswith("FLASK_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """The URL of a database at the newest migration."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        template = tmp_path_factory.mktemp("db") / "template.db"
        url = f"sqlite:///{template}"
    app = create_app(settings(url), instance_path=tmp_path_factory.mktemp("instance"))
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def database_url(migrated_database, tmp_path):
    if not migrated_database.startswith("sqlite"):
        return migrated_database
    copy = tmp_path / "koki.db"
    shutil.copy(migrated_database.removeprefix("sqlite:///"), copy)
    return f"sqlite:///{copy}"


@pytest.fixture
def app_settings():
    """Extra settings for the app of one test: override in a module or a test."""
    return {}


@pytest.fixture
def app(database_url, app_settings, tmp_path):
    app = create_app(settings(database_url, **app_settings), instance_path=tmp_path / "instance")
    yield app
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(table.name for table in db.metadata.sorted_tables)
            if tables:
                with db.engine.begin() as connection:
                    connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, shared by every browser test of the session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    with LiveServer(app) as server:
        yield server
