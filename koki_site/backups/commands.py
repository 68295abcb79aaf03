"""`flask backup create / verify / restore`, and the worker's daily backup."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from koki_site.backups import archive, dumps, encryption, ledger, legacy, replay
from koki_site.backups.archive import BackupError
from koki_site.core import audit, retention, schema, secret_keys
from koki_site.core.logs import Notice
from koki_site.extensions import db

backup_group = AppGroup("backup", help="Encrypted backups of the database (age files).")
SUFFIX = ".age"
# What open_file read: an age file, the tar `age -d` gives back, a file of the former format.
AGE, DECRYPTED, LEGACY = "age", "decrypted", "legacy"


def backup_dir():
    configured = current_app.config["BACKUP_DIR"]
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


class BackupsOff(BackupError, Notice):
    """Nothing to encrypt with: a new site has no keys; the worker says so once, not failing each hour."""


def encryption_keys():
    """(recipients, passphrase) a new backup is encrypted with: the recipients when both are set."""
    recipients = encryption.parse_recipients(current_app.config["BACKUP_AGE_RECIPIENTS"])
    if recipients:
        return recipients, None
    passphrase = current_app.config["BACKUP_KEY"]
    if not passphrase:
        where = Path(current_app.instance_path) / "config.py"
        raise BackupsOff(
            "Backups are off: neither BACKUP_AGE_RECIPIENTS nor BACKUP_KEY is set. To turn them on, put "
            f"the company's age public keys in {where} as BACKUP_AGE_RECIPIENTS = ['age1...'] (the "
            f"identities stay off this host), or draw a passphrase with {secret_keys.HOW_TO_DRAW} and put "
            "BACKUP_KEY = '...' there (or export FLASK_BACKUP_KEY), keeping a copy off this host; then "
            "restart the worker. No backup can be read without the identity or the passphrase."
        )
    encryption.check_passphrase(passphrase)
    return [], passphrase


def create(path=None):
    """Write a backup of the database; its path, header, and what it is encrypted with, in words."""
    recipients, passphrase = encryption_keys()  # before the dump: without them nothing is written
    kind, data = dumps.dump()
    header = archive.Header(kind, dumps.schema_revision(), datetime.now(UTC).isoformat(timespec="seconds"))
    sealed = encryption.encrypt(archive.pack(header, data), recipients, passphrase)
    if path is None:
        stamp = header.created_at.replace(":", "").replace("-", "").replace("+0000", "Z")
        path = backup_dir() / f"koki-{stamp}{SUFFIX}"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(sealed)
    partial.replace(path)  # a backup file is whole or absent
    sealed_for = f"to {len(recipients)} age recipient(s)" if recipients else "with the BACKUP_KEY passphrase"
    return path, header, sealed_for


def open_file(path, identity=None):
    """(header, dump, AGE | DECRYPTED | LEGACY) of a backup file, checked whole if encrypted.

    identity is the text of an age identity file, for a backup encrypted to recipients; a
    passphrase backup, and one of the former format, are opened with BACKUP_KEY.
    """
    data = Path(path).read_bytes()
    passphrase = current_app.config["BACKUP_KEY"]
    if encryption.is_age(data):
        identities = encryption.read_identities(identity) if identity else []
        return (*archive.unpack(encryption.decrypt(data, identities, passphrase)), AGE)
    if legacy.is_legacy(data):
        return (*legacy.open_sealed(data, passphrase), LEGACY)
    return (*archive.unpack(data), DECRYPTED)


def known_revisions():
    scripts = schema.script_directory()
    return {script.revision for script in scripts.walk_revisions()}, scripts.get_current_head()


def restore(header, data):
    """Replace the database with the backup's dump, then replay what changed since and purge; a summary."""
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
        for suffix in (SUFFIX, legacy.SUFFIX)
        for path in backup_dir().glob(f"*{suffix}")
        if datetime.fromtimestamp(path.stat().st_mtime, UTC) < cutoff
    ]
    for path in expired:
        path.unlink()
    return len(expired)


def scheduled_backup(now):
    """The worker's daily run: a backup, and the expired ones deleted."""
    path, _, _ = create()
    return {"backup": path.name, "expired backups deleted": delete_expired(now)}


identity_option = click.option(
    "-i",
    "--identity",
    type=click.File("r", encoding="utf-8"),
    help="The age identity file that opens a backup encrypted to BACKUP_AGE_RECIPIENTS (-: standard input).",
)


@backup_group.command("create")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Where to write it (default: BACKUP_DIR)."
)
def create_command(output):
    """Back up the database: an age file, to BACKUP_AGE_RECIPIENTS or with the BACKUP_KEY passphrase."""
    try:
        path, header, sealed_for = create(output)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    size = path.stat().st_size
    click.echo(f"Backup written: {path} ({size:,} bytes, schema {header.schema}, encrypted {sealed_for}).")


def open_or_fail(file, identity):
    try:
        return open_file(file, identity.read() if identity else None)
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@backup_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@identity_option
def verify_command(file, identity):
    """Check the whole file (a changed byte fails) and say what it holds."""
    header, data, kind = open_or_fail(file, identity)
    said = {DECRYPTED: " (decrypted already: age checked it then)", LEGACY: " (the former format)"}
    click.echo(
        f"Backup OK{said.get(kind, '')}: {header.format} database, schema {header.schema}, "
        f"taken {header.created_at}."
    )
    try:
        if header.format == dumps.SQLITE:
            for table, rows in sorted(dumps.sqlite_tables(data).items()):
                click.echo(f"  {table}: {rows} rows")
        else:
            click.echo(f"  tables with data: {', '.join(dumps.postgresql_tables(data))}")
    except BackupError as error:
        raise click.ClickException(str(error)) from None


@backup_group.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@identity_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (needed with --identity -).")
def restore_command(file, identity, yes):
    """Replace the database with a backup, then erase again what was erased since, and purge."""
    header, data, _ = open_or_fail(file, identity)
    if not yes:
        click.confirm(
            f"Replace the whole database with the backup taken {header.created_at}? "
            "What was written since is lost (erasures and rectifications are done again).",
            abort=True,
        )
    try:
        summary = restore(header, data)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the backup taken {summary['taken_at']}.")
    for action, times in summary["replayed"].items():
        click.echo(f"  done again since: {action} × {times}")
    for kind, count in summary["purged"].items():
        click.echo(f"  purged: {kind}: {count}")
