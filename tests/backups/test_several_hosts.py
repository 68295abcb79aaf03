"""Backups with a database URL naming several hosts: pg_dump and pg_restore try each, as the site does.

A URL may name a primary and its standbys (`?host=a:5432&host=b:5432&target_session_attrs=read-write`);
the dump tools are given the same hosts, in libpq's own syntax.
"""

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url

from koki_site.backups.dumps import libpq_connection
from tests.conftest import free_port
from tests.helpers.backups import invoke, names

KEY = "a backup key of more than thirty-two characters"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg://koki@/koki?host=db-a:5432&host=db-b:5433&target_session_attrs=read-write",
            {"host": "db-a,db-b", "port": "5432,5433", "target_session_attrs": "read-write"},
        ),
        ("postgresql+psycopg://koki@db-a:5432/koki", {"host": "db-a", "port": "5432"}),
        ("postgresql+psycopg://koki@/koki?host=/var/run/postgresql", {"host": "/var/run/postgresql"}),
        ("postgresql+psycopg://koki@/koki?host=db-a&host=db-b", {"host": "db-a,db-b", "port": ","}),
        ("postgresql+psycopg://koki@db-a/koki?sslmode=require", {"host": "db-a", "sslmode": "require"}),
    ],
)
def test_the_dump_tools_get_every_host_port_and_option_of_the_url(url, expected):
    engine = create_engine(url)  # no connection is made
    conninfo, password = libpq_connection(engine)
    assert conninfo_to_dict(conninfo) == {"dbname": "koki", "user": "koki", **expected}
    assert password is None
    engine.dispose()


def test_the_password_is_kept_off_the_dump_tools_command_line():
    engine = create_engine("postgresql+psycopg://koki:it%27s%20a%20pass%3Dword@db-a/koki")
    conninfo, password = libpq_connection(engine)
    assert conninfo_to_dict(conninfo) == {"dbname": "koki", "user": "koki", "host": "db-a"}
    assert password == "it's a pass=word"  # given in PGPASSWORD
    engine.dispose()


def test_a_url_with_no_host_is_the_local_socket():
    engine = create_engine("postgresql+psycopg:///koki")
    assert libpq_connection(engine) == ("dbname=koki", None)
    engine.dispose()


@pytest.fixture
def database_url(migrated_database):
    """The test database behind a first host that refuses connections (a primary gone)."""
    if not migrated_database.startswith("postgresql"):
        pytest.skip("a URL of several hosts is PostgreSQL's")
    url = make_url(migrated_database)
    hosts = [f"127.0.0.1:{free_port()}", f"{url.host}:{url.port or 5432}"]
    query = {**url.query, "host": hosts, "target_session_attrs": "read-write"}
    several = URL.create(url.drivername, url.username, url.password, database=url.database, query=query)
    return several.render_as_string(hide_password=False)


@pytest.fixture
def app_settings(tmp_path):
    return {"BACKUP_KEY": KEY, "BACKUP_DIR": str(tmp_path / "backups")}


@pytest.mark.db
def test_a_backup_is_made_verified_and_restored_past_a_host_that_is_down(app, runner, tmp_path, ada_and_bob):
    assert len(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).query["host"]) == 2
    path = tmp_path / "site.age"
    code, output = invoke(runner, "backup", "create", "-o", path)
    assert code == 0 and "Backup written" in output, output
    code, output = invoke(runner, "backup", "verify", path)
    assert code == 0 and "Backup OK" in output and "contact_message" in output, output
    code, output = invoke(runner, "backup", "restore", path, "--yes")
    assert code == 0, output
    assert names(app) == ["Ada", "Bob"]
