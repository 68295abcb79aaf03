"""Fixtures in the Flask tutorial's way: app, client, runner, and a fresh database per test.

The database is SQLite unless TEST_DATABASE_URL names another one (.ci/run gives PostgreSQL).
SQLite: the schema is migrated once into a template file, copied for each test.
PostgreSQL: migrated once per run, every table emptied after each test.
"""

import atexit
import email
import email.policy
import os
import shutil
import socket
import tempfile
import threading

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from koki_site import create_app
from koki_site.core import schema
from koki_site.extensions import db
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, LiveServer

SECRET = "tests-secret-key-7c1f9e04b2d86a35e0c4f71b9a2d58e6"
# Not the test client's host (localhost): a link built from the request would show.
SITE_URL = "https://www.koki.test"
# The fingerprinted, compressed static files, built once for the whole run rather than per test.
STATIC_BUILD = tempfile.mkdtemp(prefix="koki-static-build-")
atexit.register(shutil.rmtree, STATIC_BUILD, ignore_errors=True)


def settings(database_url, **extra):
    return {
        "TESTING": True,
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "SITE_URL": SITE_URL,
        "MAIL_DELIVERY": "inline",  # delivered before the response: tests read the mailbox at once
        "RATELIMIT_ENABLED": False,  # on in the tests about rate limits
        "ARGON2_TIME_COST": 1,  # fast hashes: tests create many accounts
        "ARGON2_MEMORY_COST": 1024,
        "LOG_REPEAT_SECONDS": 0,  # every error written: tests read the log (core/test_jobs sets it)
        "SETTINGS_CACHE_SECONDS": 0,  # read at once (core/test_runtime_settings checks it)
        "STATS_FLUSH_SECONDS": 0,  # page views written at once (statistics/test_tally checks the tally)
        "STAFF_2FA_ROLES": [],  # the staff fixture logs in with a password; staff/test_two_factor sets it
        "STATIC_BUILD_DIR": STATIC_BUILD,
        **extra,
    }


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No FLASK_* variable of the developer's shell reaches the app under test."""
    for name in list(os.environ):
        if name.startswith("FLASK_"):
            monkeypatch.delenv(name)


def worker_database(url, worker_id):
    """url, or under pytest-xdist a PostgreSQL database of this worker's own, made beside url's."""
    if worker_id == "master" or not url.startswith("postgresql"):
        return url
    base = make_url(url)
    name = f"{base.database}_{worker_id}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory, worker_id):
    """The URL of a database at the newest migration (one per pytest-xdist worker)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = worker_database(url, worker_id)
    else:
        template = tmp_path_factory.mktemp("db") / "template.db"
        url = f"sqlite:///{template}"
    app = create_app(settings(url), instance_path=tmp_path_factory.mktemp("instance"))
    with app.app_context():
        if url.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        schema.upgrade()
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


class Mailbox:
    """A real SMTP server (aiosmtpd) on 127.0.0.1: what the site sent, as parsed messages."""

    def __init__(self):
        self.messages = []
        self.arrived = threading.Condition()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count=1, timeout=10):
        """The messages, once at least count have arrived (or timeout seconds have passed)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)

    def to(self, address):
        return [m for m in self.messages if address in m["To"]]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    mailbox = Mailbox()
    mailbox.controller.start()
    yield mailbox
    mailbox.controller.stop()


@pytest.fixture
def smtp(app, smtp_server):
    """The app sends through the real SMTP server; the mailbox starts empty."""
    smtp_server.messages.clear()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    return smtp_server


@pytest.fixture
def smtp_down(app):
    """The app's SMTP server refuses connections."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())


@pytest.fixture
def staff(app):
    """login(*roles, email=None): a new account with those roles, and a new client logged in as it.

    The client logs in as a person would: the login page, its CSRF token, POST /staff/login.
    """
    from tests.helpers.staff import add_account, log_in

    used = set()

    def login(*roles, email=None):
        if email is None:
            name = "-".join(roles) or "staff"
            email = f"{name}@koki.test"
            if email in used:  # the same roles twice in a test: another person
                email = f"{name}-{len(used)}@koki.test"
        used.add(email)
        add_account(app, email, *roles)
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the back office's English texts
        response = log_in(client, email)
        assert response.status_code == 303, f"login as {email} failed"
        return client

    return login
