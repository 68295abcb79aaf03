"""`flask backup create / verify / restore`, and the worker's daily backup."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from koki_site.backups import archive, dumps, ledger, replay
from koki_site.backups.archive import BackupError
from koki_site.core import audit, retention, schema, secret_keys
from koki_site.core.logs import Notice
from koki_site.extensions import db

backup_group = AppGroup("backup", help="Encrypted backups of the database.")
SUFFIX = ".kbak"


def backup_dir():
    configured = current_app.config["BACKUP_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


class BackupsOff(BackupError, Notice):
    """No BACKUP_KEY: a new site has none, and the worker says so once rather than fail each hour."""


def backup_key():
    """The key backups are sealed with; BackupsOff, saying how to set one, when there is none."""
    key = current_app.config["BACKUP_KEY"]
    if not key:
        where = Path(current_app.instance_path) / "config.py"
        raise BackupsOff(
            f"Backups are off: BACKUP_KEY is not set. To turn them on, draw a key with "
            f"{secret_keys.HOW_TO_DRAW}, put BACKUP_KEY = '...' in {where} (or export FLASK_BACKUP_KEY) "
            "and restart the worker; keep a copy of the key off this host: no backup can be read without it."
        )
    return key


def create(path=None):
    """Write a backup of the database; its path and header."""
    key = backup_key()  # before the dump: without a key there is nothing to seal it with
    kind, data = dumps.dump()
    header = archive.Header(kind, dumps.schema_revision(), datetime.now(UTC).isoformat(timespec="seconds"))
    sealed = archive.seal(header, data, key)
    if path is None:
        stamp = header.created_at.replace(":", "").replace("-", "").replace("+0000", "Z")
        path = backup_dir() / f"koki-{stamp}{SUFFIX}"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(sealed)
    partial.replace(path)  # a backup file is whole or absent
    return path, header


def open_file(path):
    return archive.open_sealed(Path(path).read_bytes(), current_app.config["BACKUP_KEY"])


def known_revisions():
    scripts = schema.script_directory()
    return {script.revision for script in scripts.walk_revisions()}, scripts.get_current_head()


def restore(path):
    """Replace the database with the backup, then replay what changed since and purge; a summary."""
    header, data = open_file(path)
    revisions, head = known_revisions()
    if header.schema not in revisions:
        raise BackupError(f"This backup's schema (%s) is newer than this code's ({head}).", header.schema)
    taken_at = datetime.fromisoformat(header.created_at)
    try:
        changes = ledger.since(taken_at)
    except Exception:  # the live database is gone: nothing to replay but the purge
        db.session.rollback()
        changes = []
    dumps.restore(header.format, data)
    if header.schema != head:
        schema.upgrade()
    done = replay.replay(changes)
    ledger.put_back(changes)
    purged = retention.purge(datetime.now(UTC))  # commits, with its audit entry
    audit.log("backup_restore", details={"taken_at": header.created_at, "replayed": done})
    db.session.commit()
    return {"taken_at": header.created_at, "replayed": done, "purged": purged}


def delete_expired(now):
    """Delete the backups older than BACKUP_RETENTION_DAYS; how many."""
    cutoff = now - timedelta(days=current_app.config["BACKUP_RETENTION_DAYS"])
    expired = [
        path
        for path in backup_dir().glob(f"*{SUFFIX}")
        if datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff
    ]
    for path in expired:
        path.unlink()
    return len(expired)


def scheduled_backup(now):
    """The worker's daily run: a backup, and the expired ones deleted."""
    path, _ = create()
    return {"backup": path.name, "expired backups deleted": delete_expired(now)}


@backup_group.command("create")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Where to write it (default: BACKUP_DIR)."
)
def create_command(output):
    """Back up the database, encrypted with a key derived from BACKUP_KEY."""
    try:
        path, header = create(output)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written: {path} ({path.stat().st_size:,} bytes, schema {header.schema}).")


@backup_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def verify_command(file):
    """Check the whole file (a changed byte fails) and say what it holds."""
    try:
        header, data = open_file(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup OK: {header.format} database, schema {header.schema}, taken {header.created_at}.")
    if header.format == dumps.SQLITE:
        for table, rows in sorted(dumps.sqlite_tables(data).items()):
            click.echo(f"  {table}: {rows} rows")
    else:
        click.echo(f"  tables with data: {', '.join(dumps.postgresql_tables(data))}")


@backup_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file, yes):
    """Replace the database with a backup, then erase again what was erased since, and purge."""
    try:
        header, _ = open_file(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if not yes:
        click.confirm(
            f"Replace the whole database with the backup taken {header.created_at}? "
            "What was written since is lost (erasures and rectifications are done again).",
            abort=True,
        )
    try:
        summary = restore(file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the backup taken {summary['taken_at']}.")
    for action, times in summary["replayed"].items():
        click.echo(f"  done again since: {action} × {times}")
    for kind, count in summary["purged"].items():
        click.echo(f"  purged: {kind}: {count}")
