"""The CLI's start-up imports only what every command needs.

`make bench` times `flask newsletter --help`; that time depends on the machine. What does not is
the list of modules it imports: the heavy ones a command may need (Alembic, argon2, phonenumbers,
email-validator, Babel's catalogue tools...) are imported where they are used, never at start-up.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Each is loaded by the code that uses it: a migration, a password, a telephone number, an address
# check, `flask translate`, the static files' compression, the showcase, a reply's text, a backup.
USED_WHERE_NEEDED = [
    "alembic",
    "flask_migrate",
    "argon2",
    "zxcvbn",
    "phonenumbers",
    "email_validator",
    "dns",
    "babel.messages",
    "whitenoise.compress",
    "tomllib",
    "html.parser",
    "cryptography",
    "pyrage",
    "segno",
    "pyotp",
    "playwright",
]
# In a fresh interpreter: the command as a shell runs it, then what it imported.
SCRIPT = """
import json, sys
from flask.cli import main
sys.argv = ["flask", "--app", "app", "newsletter", "--help"]
try:
    main()
except SystemExit as stop:
    assert not stop.code, stop.code
print(json.dumps(sorted(sys.modules)))
"""


@pytest.fixture(scope="module")
def static_build(tmp_path_factory):
    """Static files already built and compressed, as on every start but the first."""
    build = tmp_path_factory.mktemp("static-build")
    imported_by_the_cli(build, "sqlite://")
    return build


def imported_by_the_cli(static_build, database_url):
    env = {
        "PATH": "/usr/bin:/bin",
        "FLASK_SECRET_KEY": "startup-test-secret-5be0d2a7c94f13e86b7a0c2d",
        "FLASK_SQLALCHEMY_DATABASE_URI": database_url,
        "FLASK_STATIC_BUILD_DIR": str(static_build),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    help_text, modules = done.stdout.rsplit("\n", 2)[:2]
    assert "export  Write the confirmed subscribers" in help_text
    return set(json.loads(modules))


def loaded(modules, names):
    return [name for name in names if name in modules or any(m.startswith(name + ".") for m in modules)]


def test_the_cli_starts_without_the_modules_a_command_may_need(static_build, tmp_path):
    modules = imported_by_the_cli(static_build, f"sqlite:///{tmp_path / 'koki.db'}")
    assert "koki_site.newsletter.marketing" in modules  # the app was built, its commands with it
    assert loaded(modules, USED_WHERE_NEEDED) == []
    # PostgreSQL's driver and dialect only when the database is PostgreSQL.
    assert loaded(modules, ["psycopg", "sqlalchemy.dialects.postgresql"]) == []


def test_on_postgresql_only_its_driver_is_added(static_build):
    # Flask-SQLAlchemy builds the engine when the app is built (it does not connect).
    modules = imported_by_the_cli(static_build, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert loaded(modules, USED_WHERE_NEEDED) == []
    assert "psycopg" in modules
