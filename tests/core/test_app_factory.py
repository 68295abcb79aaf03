"""The factory: configuration chain, the secret key rule, the health check, the schema."""

import secrets
from pathlib import Path

import pytest
from alembic.runtime.migration import MigrationContext

from koki_site import create_app
from koki_site.core import schema, secret_keys
from koki_site.extensions import db

ROOT = Path(__file__).resolve().parents[2]
STRONG = "a-production-secret-that-is-long-enough-0123456789"


@pytest.mark.parametrize("secret", [None, "", "short-secret"])
def test_the_app_refuses_to_start_without_a_proper_secret(tmp_path, secret):
    with pytest.raises(RuntimeError, match="FLASK_SECRET_KEY"):
        create_app({"SECRET_KEY": secret}, instance_path=tmp_path)


OLD_EXAMPLE = "replace with the output of: python3 -c 'import secrets; print(secrets.token_hex(32))'"
GUESSABLE = {
    "the old example's text": OLD_EXAMPLE,
    "one character": "x" * 64,
    "a repeated phrase": "change-me-" * 8,
    "16 random bytes": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "a tiny alphabet": "0101010101234234234234567567567589898989" * 2,
}


@pytest.mark.parametrize("secret", GUESSABLE.values(), ids=GUESSABLE.keys())
def test_a_guessable_secret_key_stops_the_start_and_says_how_to_draw_one(tmp_path, secret):
    with pytest.raises(RuntimeError) as refused:
        create_app({"SECRET_KEY": secret}, instance_path=tmp_path)
    message = str(refused.value)
    assert message.startswith("SECRET_KEY is too easy to guess")
    assert "secrets.token_hex(32)" in message and str(tmp_path / "config.py") in message


def test_the_example_configuration_copied_as_it_is_does_not_start(tmp_path):
    (tmp_path / "config.py").write_text((ROOT / "instance" / "config.example.py").read_text())
    with pytest.raises(RuntimeError, match="SECRET_KEY is too easy to guess: it is not set"):
        create_app(instance_path=tmp_path)


@pytest.mark.parametrize("draw", [secrets.token_hex, secrets.token_urlsafe])
def test_a_drawn_key_is_never_taken_for_a_guessable_one(tmp_path, draw):
    assert [key for key in (draw(32) for _ in range(5000)) if secret_keys.weakness(key)] == []
    assert create_app({"SECRET_KEY": draw(32), "BACKUP_KEY": draw(32)}, instance_path=tmp_path)


@pytest.mark.parametrize("secret", GUESSABLE.values(), ids=GUESSABLE.keys())
def test_a_guessable_backup_key_stops_the_start_too(tmp_path, secret):
    with pytest.raises(RuntimeError, match="BACKUP_KEY is too easy to guess"):
        create_app({"SECRET_KEY": STRONG, "BACKUP_KEY": secret}, instance_path=tmp_path)


def test_the_app_starts_with_a_secret_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SECRET_KEY", STRONG)
    app = create_app(instance_path=tmp_path)
    assert app.config["SECRET_KEY"] == STRONG
    assert app.config["SESSION_COOKIE_SECURE"] is True  # on outside debug


def test_debug_runs_without_a_secret_and_without_secure_cookies(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    app = create_app(instance_path=tmp_path)
    assert len(app.config["SECRET_KEY"]) >= 32
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_configuration_chain_defaults_instance_environment_test(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        f"SECRET_KEY = {STRONG!r}\nDPO_NAME = 'from instance'\nCOMPANY_EMAIL = 'instance@koki.test'\n"
        "HOST_NAME = 'instance host'\n"
    )
    monkeypatch.setenv("FLASK_COMPANY_EMAIL", "env@koki.test")
    monkeypatch.setenv("FLASK_HOST_NAME", "env host")
    monkeypatch.setenv("FLASK_SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("FLASK_CONTACT_RETENTION_MONTHS", "6")
    app = create_app({"HOST_NAME": "test host"}, instance_path=tmp_path)
    assert app.config["POLICY_VERSION"]  # package default
    assert app.config["DPO_NAME"] == "from instance"
    assert app.config["COMPANY_EMAIL"] == "env@koki.test"
    assert app.config["HOST_NAME"] == "test host"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["CONTACT_RETENTION_MONTHS"] == 6


def test_sqlite_in_the_instance_folder_by_default(tmp_path):
    app = create_app({"SECRET_KEY": STRONG}, instance_path=tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'koki.db'}"


@pytest.mark.db
def test_healthz_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_503_when_the_database_does_not_answer(tmp_path):
    from tests.conftest import settings

    app = create_app(settings(f"sqlite:///{tmp_path}/missing/dir/koki.db"), instance_path=tmp_path)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"


@pytest.mark.db
def test_the_schema_is_at_the_newest_migration(app):
    with app.app_context():
        newest = schema.script_directory().get_current_head()
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == newest


@pytest.mark.db
def test_db_upgrade_command_is_idempotent(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


@pytest.mark.db
def test_the_models_and_the_migrations_agree(runner):
    """A model changed without its migration would be caught here (`flask db check`)."""
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
