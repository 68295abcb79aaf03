"""A consistent copy of the database as bytes, and back: SQLite's online backup API, pg_dump.

pg_dump reads one snapshot however long it runs; SQLite's backup API copies a consistent file
while the site goes on writing. A restore replaces the whole database with the copy.
"""

import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import text

from koki_site.backups.archive import BackupError
from koki_site.extensions import db

SQLITE, POSTGRESQL = "sqlite", "postgresql-custom"


def format_of_engine():
    return SQLITE if db.engine.dialect.name == "sqlite" else POSTGRESQL


def schema_revision():
    return db.session.scalar(text("SELECT version_num FROM alembic_version"))


def dump():
    """(format, bytes) of the whole database."""
    if format_of_engine() == SQLITE:
        return SQLITE, dump_sqlite()
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges"]
    conninfo, password = libpq_connection(db.engine)
    return POSTGRESQL, run([*command, "--dbname", conninfo], password=password)


def restore(kind, data):
    """Replace the database with data (made by dump(), of the same kind of database)."""
    if kind != format_of_engine():
        raise BackupError(f"This backup is of a %s database; this site runs on {format_of_engine()}.", kind)
    db.session.remove()
    if kind == SQLITE:
        restore_sqlite(data)
    else:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
        conninfo, password = libpq_connection(db.engine)
        run([*command, "--dbname", conninfo], data, password=password)
    db.engine.dispose()  # connections opened before the restore know the old tables


def dump_sqlite():
    with tempfile.TemporaryDirectory() as folder:
        copy_path = Path(folder) / "copy.db"
        copy = sqlite3.connect(copy_path)
        live = db.engine.raw_connection()
        try:
            live.driver_connection.backup(copy)
        finally:
            live.close()
            copy.close()
        return copy_path.read_bytes()


def restore_sqlite(data):
    with tempfile.TemporaryDirectory() as folder:
        copy_path = Path(folder) / "copy.db"
        copy_path.write_bytes(data)
        copy = sqlite3.connect(copy_path)
        live = db.engine.raw_connection()
        try:
            copy.backup(live.driver_connection)
        finally:
            live.close()
            copy.close()


def sqlite_tables(data):
    """{table: rows} of an SQLite dump, to say what a backup holds."""
    with tempfile.TemporaryDirectory() as folder:
        copy_path = Path(folder) / "copy.db"
        copy_path.write_bytes(data)
        try:
            with sqlite3.connect(copy_path) as copy:
                names = [
                    row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                ]
                # The names come from the file's own catalogue, quoted: nothing typed reaches this.
                count = 'SELECT count(*) FROM "{}"'.format
                return {name: copy.execute(count(name)).fetchone()[0] for name in names}
        except sqlite3.DatabaseError as error:
            raise BackupError("The backup's SQLite database cannot be read.") from error


def postgresql_tables(data):
    """The tables whose data a pg_dump archive holds."""
    listing = run(["pg_restore", "--list"], data).decode()
    return sorted(line.split()[-2] for line in listing.splitlines() if " TABLE DATA " in line)


def libpq_connection(engine):
    """(libpq connection string, password or None): the engine's database, for pg_dump and pg_restore.

    Read by the dialect as it reads it to connect, so a URL naming several hosts
    (?host=a:5432&host=b:5433) gives libpq all of them (host=a,b port=5432,5433), and psycopg
    writes it in libpq's syntax, quoting what must be. "context" is psycopg's own (its type
    adapters), not a libpq option. The password stays out of the string: on a command line, any
    user of the machine reads it in `ps`.
    """
    from psycopg.conninfo import make_conninfo  # PostgreSQL's driver, loaded only on PostgreSQL

    args, params = engine.dialect.create_connect_args(engine.url)
    params.pop("context", None)
    password = params.pop("password", None)
    return make_conninfo(*args, **params), password


def run(command, data=None, password=None):
    """The tool's output; a password goes to it in PGPASSWORD, which only its own user may read."""
    env = (os.environ | {"PGPASSWORD": password}) if password else None
    try:
        done = subprocess.run(command, input=data, env=env, capture_output=True, check=False, timeout=3600)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).") from error
    if done.returncode != 0:  # what it says may quote a row: shown to whoever ran the command, not logged
        raise BackupError(f"{command[0]} failed: %s", done.stderr.decode(errors="replace").strip()[:500])
    return done.stdout
