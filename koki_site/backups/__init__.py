"""Backups: age files, kept BACKUP_RETENTION_DAYS, and never bringing back what was erased or
expired since they were taken (the ledger, replayed after a restore)."""

from flask_babel import lazy_gettext as _l

from koki_site.backups import commands, encryption, ledger
from koki_site.backups.archive import BackupError
from koki_site.core import capabilities, jobs, register


def init_app(app):
    check_recipients(app)
    app.cli.add_command(commands.backup_group)
    capabilities.provide(
        app,
        handlers={"backups": register.Handlers(purge=ledger.purge, due=ledger.due)},
        jobs=[jobs.Job("backup", _l("Backup of the database"), "BACKUP_HOUR", commands.scheduled_backup)],
    )


def check_recipients(app):
    """Refuse to start with a BACKUP_AGE_RECIPIENTS entry that is not an age public key."""
    try:
        encryption.parse_recipients(app.config["BACKUP_AGE_RECIPIENTS"])
    except BackupError as error:
        raise RuntimeError(str(error)) from None
