"""`flask check --deploy`: what is not ready to go live, in words, exit 1; exit 0 when nothing is.

Through the command as an operator runs it, on the configurations it is for: a fresh install as
`make run` leaves it, and the deployment tests' own (tests/helpers/deploy.py) with what only a
running site has: a mail server that answers (aiosmtpd), a backup the worker's job took, a heartbeat.
"""

import secrets
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask_migrate import downgrade
from sqlalchemy import update

from koki_site import create_app
from koki_site.core import go_live, schema
from koki_site.core.models import JobRun, WorkerBeat
from koki_site.extensions import db
from tests.conftest import SITE_URL, STATIC_BUILD, free_port, settings
from tests.helpers.deploy import BIN, ROOT, app_environment, backed_up_and_beating, production_settings
from tests.helpers.worker import SilentServer

LEGAL_NOTICE = {
    "COMPANY_LEGAL_FORM",
    "COMPANY_ADDRESS",
    "COMPANY_REGISTRATION",
    "COMPANY_PHONE",
    "PUBLICATION_DIRECTOR",
    "HOST_ADDRESS",
    "DPO_ADDRESS",
}
# What `make run` runs the site with: a random key in instance/config.py, plain HTTP, the defaults.
FRESH_INSTALL = {
    "SECRET_KEY": secrets.token_hex(32),
    "SITE_URL": "http://127.0.0.1:5000",
    "SESSION_COOKIE_SECURE": False,
    "MAIL_DELIVERY": "worker",
    "RATELIMIT_ENABLED": True,
}
STRONG_KEY = secrets.token_urlsafe(32)
# The deployment tests' configuration, with its rate limits on as a live site has them.
DEPLOYED = {**production_settings(SITE_URL), "RATELIMIT_ENABLED": True}


def named(output):
    """The keys the command's lines name, in order: `- KEY: what to do`."""
    return [line[2:].split(":", 1)[0] for line in output.splitlines() if line.startswith("- ")]


def sqlite(app):
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


@pytest.fixture
def deployed(app, smtp, monkeypatch):
    """The deployment's configuration, live: SMTP answers, a backup was taken, a worker beats.

    SQLite with one gunicorn worker, as the deployment test runs it without Redis; PostgreSQL with
    three, which share their rate limits in Redis (not reached: the check reads the setting).
    """
    monkeypatch.setenv("WEB_CONCURRENCY", "1" if sqlite(app) else "3")
    if not sqlite(app):
        app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    backed_up_and_beating(app)
    return app


@pytest.mark.db
@pytest.mark.parametrize("app_settings", [FRESH_INSTALL])
def test_a_fresh_install_is_not_ready_and_each_missing_item_is_named(app, runner, monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)  # gunicorn's own rule: two per core plus one
    result = runner.invoke(args=["check", "--deploy"])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Not ready to go live")
    expected = {"BACKUP_KEY", "SITE_URL", "TRUSTED_HOSTS", "SESSION_COOKIE_SECURE", "MAIL_SERVER"}
    expected |= LEGAL_NOTICE | {"SECURITY_CONTACT", "RATELIMIT_STORAGE_URI", "backups", "worker"}
    if sqlite(app):
        expected.add("SQLALCHEMY_DATABASE_URI")
    assert sorted(named(result.output)) == sorted(expected)
    # Each line says what to do, in words.
    assert "- SITE_URL: It is http://127.0.0.1:5000" in result.output
    assert "Set the site's public https:// address" in result.output
    assert "- worker: No worker has ever run" in result.output
    assert "- backups: No backup has succeeded yet" in result.output
    assert "memory://, with " in result.output and "redis://127.0.0.1:6379/0" in result.output


@pytest.mark.db
@pytest.mark.parametrize("app_settings", [DEPLOYED])
def test_the_deployment_configuration_is_ready(deployed, runner):
    result = runner.invoke(args=["check", "--deploy"])
    assert (result.exit_code, result.output) == (0, "Ready to go live: nothing found.\n")


def check_in_a_shell(env):
    command = [BIN / "flask", "--app", "app", "check", "--deploy"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.db
@pytest.mark.parametrize("app_settings", [DEPLOYED])
def test_the_command_as_an_operator_runs_it_on_the_deployment_s_environment(deployed, database_url):
    """`flask --app app check --deploy` in a shell of its own, its settings in FLASK_* variables
    (and the deployed fixture's WEB_CONCURRENCY)."""
    env = app_environment(
        database_url,
        **DEPLOYED,
        MAIL_SERVER=deployed.config["MAIL_SERVER"],
        MAIL_PORT=deployed.config["MAIL_PORT"],
        RATELIMIT_STORAGE_URI=deployed.config["RATELIMIT_STORAGE_URI"],
        STATIC_BUILD_DIR=STATIC_BUILD,
    )
    done = check_in_a_shell(env)
    assert (done.returncode, done.stdout) == (0, "Ready to go live: nothing found.\n"), done.stderr
    done = check_in_a_shell({**env, "FLASK_SITE_URL": "http://www.koki.test"})
    assert done.returncode == 1 and named(done.stdout) == ["SITE_URL"], done.stdout + done.stderr


@pytest.mark.db
@pytest.mark.parametrize("app_settings", [DEPLOYED])
def test_a_mail_server_that_does_not_answer_is_named(deployed, runner):
    closed = free_port()  # nobody listens there
    deployed.config["MAIL_PORT"] = closed
    result = runner.invoke(args=["check", "--deploy"])
    assert result.exit_code == 1
    assert named(result.output) == ["MAIL_SERVER"]
    assert f"- MAIL_SERVER: 127.0.0.1:{closed} does not answer (ConnectionRefusedError" in result.output
    assert "Check MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS or MAIL_USE_SSL" in result.output


@pytest.mark.parametrize("app_settings", [DEPLOYED])
def test_a_mail_server_that_never_greets_is_named_after_the_probes_timeout(deployed, runner, monkeypatch):
    monkeypatch.setattr(go_live, "PROBE_TIMEOUT", 0.5)  # 5 s for an operator; a test need not wait them
    with SilentServer() as silent:
        deployed.config["MAIL_PORT"] = silent.port
        started = time.monotonic()
        result = runner.invoke(args=["check", "--deploy"])
    assert time.monotonic() - started < 5
    assert named(result.output) == ["MAIL_SERVER"]
    assert f"- MAIL_SERVER: 127.0.0.1:{silent.port} does not answer (SMTPServerDisconnected" in result.output
    assert "timed out" in result.output


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"SITE_URL": "http://www.koki.test"}, ["SITE_URL"]),  # and the proxies are no longer asked for
        ({"TRUSTED_HOSTS": None}, ["TRUSTED_HOSTS"]),
        ({"TRUSTED_HOSTS": ["other.koki.test"]}, ["TRUSTED_HOSTS"]),
        ({"SESSION_COOKIE_SECURE": False}, ["SESSION_COOKIE_SECURE"]),
        ({"PROXY_FIX_X_FOR": 0, "PROXY_FIX_X_PROTO": 0}, ["PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO"]),
        ({"PROXY_FIX_X_FOR": 2}, ["PROXY_FIX_X_FOR"]),
        ({"SECRET_KEY": "change-me-" * 8}, ["SECRET_KEY"]),  # tests start with it; a live site would not
        ({"BACKUP_AGE_RECIPIENTS": []}, ["BACKUP_KEY"]),  # backups off
        ({"BACKUP_AGE_RECIPIENTS": [], "BACKUP_KEY": STRONG_KEY}, []),
        ({"BACKUP_KEY": "short"}, ["BACKUP_KEY"]),  # it still opens older backups: held to the rule
        ({"MAIL_DELIVERY": "inline"}, ["MAIL_DELIVERY"]),
        ({"MAIL_SERVER": None}, ["MAIL_SERVER"]),
        ({"COMPANY_REGISTRATION": " "}, ["COMPANY_REGISTRATION"]),
        ({"HOST_NAME": ""}, ["HOST_NAME"]),
        ({"RATELIMIT_ENABLED": False}, ["RATELIMIT_ENABLED"]),
        ({"SECURITY_CONTACT": ""}, ["SECURITY_CONTACT"]),
        (
            {"SECURITY_TXT_EXPIRES": (datetime.now(UTC) + timedelta(days=20)).isoformat()},
            ["SECURITY_TXT_EXPIRES"],
        ),
        ({"FLASK_DEBUG": "1"}, ["DEBUG"]),  # the variable, as `flask --debug` sets it: the CLI reads it
    ],
)
@pytest.mark.parametrize("app_settings", [DEPLOYED])
def test_each_item_is_named_when_it_is_not_ready(deployed, runner, monkeypatch, change, expected):
    change = dict(change)
    if "FLASK_DEBUG" in change:
        monkeypatch.setenv("FLASK_DEBUG", change.pop("FLASK_DEBUG"))
    deployed.config.update(change)
    result = runner.invoke(args=["check", "--deploy"])
    assert named(result.output) == expected, result.output
    assert result.exit_code == (1 if expected else 0)


@pytest.mark.parametrize("app_settings", [DEPLOYED])
def test_what_several_workers_cannot_share_is_named(deployed, runner, monkeypatch):
    deployed.config["RATELIMIT_STORAGE_URI"] = "memory://"
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert runner.invoke(args=["check", "--deploy"]).exit_code == 0  # one process: memory and SQLite do
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    result = runner.invoke(args=["check", "--deploy"])
    sqlite_named = ["SQLALCHEMY_DATABASE_URI"] if sqlite(deployed) else []
    assert named(result.output) == [*sqlite_named, "RATELIMIT_STORAGE_URI"]
    assert "- RATELIMIT_STORAGE_URI: memory://, with 3 gunicorn workers" in result.output
    if sqlite_named:
        assert "- SQLALCHEMY_DATABASE_URI: SQLite, with 3 gunicorn workers" in result.output
    # RATE_LIMIT_WORKERS, the workers of every host, counts over this host's.
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    deployed.config.update(RATE_LIMIT_WORKERS=4, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")
    assert named(runner.invoke(args=["check", "--deploy"]).output) == sqlite_named


@pytest.mark.db
@pytest.mark.parametrize("app_settings", [DEPLOYED])
def test_a_late_backup_and_a_silent_worker_are_named(deployed, runner):
    with deployed.app_context():
        long_ago = datetime.now(UTC) - timedelta(hours=27)
        db.session.execute(update(WorkerBeat).values(beat_at=long_ago))
        db.session.execute(update(JobRun).where(JobRun.name == "backup").values(succeeded_at=long_ago))
        db.session.commit()
    result = runner.invoke(args=["check", "--deploy"])
    assert named(result.output) == ["backups", "worker"]
    assert (
        "more than 26 hours ago" in result.output
        and "No worker has gone round its loop since" in result.output
    )


def test_a_database_without_the_schema_is_named(tmp_path):
    app = create_app(settings(f"sqlite:///{tmp_path / 'empty.db'}"), instance_path=tmp_path / "instance")
    for args in (["check"], ["check", "--deploy"]):
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 1
        assert "- schema: The database has no schema yet. Run flask --app app db upgrade." in result.output
        assert "backups" not in named(result.output)  # its table is not there yet: the schema comes first


def test_a_schema_behind_the_code_is_named_and_db_upgrade_clears_it(tmp_path):
    app = create_app(settings(f"sqlite:///{tmp_path / 'old.db'}"), instance_path=tmp_path / "instance")
    with app.app_context():
        schema.upgrade()
        downgrade(revision="-1")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check"])
    assert result.exit_code == 1
    assert named(result.output) == ["schema"]
    assert "Run flask --app app db upgrade." in result.output
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["check"])
    assert (result.exit_code, result.output) == (0, "Nothing found (--deploy checks more).\n")
