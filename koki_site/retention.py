"""`flask purge` (SPEC §8): every processing deletes what is past its period, through the register."""

from datetime import UTC, datetime, time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from koki_site import audit, jobs, register, submissions
from koki_site.extensions import db


def init_app(app):
    app.cli.add_command(purge_command)
    jobs.provide(app, jobs.Job("purge", _l("Purge of expired data"), "PURGE_HOUR", scheduled_purge))


def scheduled_purge(now):
    """The worker's daily run: the purge, and the housekeeping of rows that hold nothing personal."""
    counts = purge(now)
    submissions.forget_old(now)
    db.session.commit()
    return counts


def purge(as_of, dry_run=False):
    """{kind: count} of what each processing removed (or would remove) as of that moment."""
    counts = {}
    for _, handlers in register.handlers_of(current_app):
        if handlers.purge:
            counts.update(handlers.purge(as_of, dry_run))
    if not dry_run:
        audit.log("purge", details={"as_of": as_of.date().isoformat(), **counts})
        db.session.commit()
    return counts


def due(start, end):
    """{kind: count} of what will be past its period between start and end (the DPO's page)."""
    counts = {}
    for _, handlers in register.handlers_of(current_app):
        if handlers.due:
            counts.update(handlers.due(start, end))
    return counts


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, delete nothing.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Take that day as today.")
@with_appcontext
def purge_command(dry_run, as_of):
    """Delete every record past its retention period, in batches; safe to run twice or from cron."""
    moment = datetime.combine(as_of.date(), time.max, UTC) if as_of else datetime.now(UTC)
    counts = purge(moment, dry_run)
    verb = "would delete" if dry_run else "deleted"
    for kind, count in counts.items():
        click.echo(f"{kind}: {verb} {count}")
