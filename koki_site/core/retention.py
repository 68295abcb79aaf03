"""`flask purge`: every processing deletes what is past its period, through the register."""

import json
from datetime import UTC, datetime, time

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from koki_site.core import audit, capabilities, formats, jobs, register, staff_tasks, submissions
from koki_site.extensions import db


def init_app(app):
    app.cli.add_command(purge_command)
    capabilities.provide(
        app,
        jobs=[jobs.Job("purge", _l("Purge of expired data"), "PURGE_HOUR", scheduled_purge)],
        tasks={
            "dpo": lambda: [last_purge_task(url_for("staff.retention"))],
            "admin": lambda: [last_purge_task(url_for("staff.home", _anchor="jobs-title"))],
        },
    )


def last_purge_task(url):
    """The staff home: when the purge last ran and what it removed; urgent when it is late."""
    now = datetime.now(UTC)
    state = next((s for s in jobs.states(now) if s.job.name == "purge"), None)
    entry = db.session.scalars(
        select(audit.AuditEntry)
        .where(audit.AuditEntry.action == "purge")
        .order_by(audit.AuditEntry.at.desc())
    ).first()
    if entry is None:
        return staff_tasks.Task(_("No purge has run yet."), url, urgent=bool(state and state.late))
    removed = sum(n for n in json.loads(entry.details or "{}").values() if isinstance(n, int))
    text = ngettext(
        "Last purge: %(date)s, %(count)s record removed",
        "Last purge: %(date)s, %(count)s records removed",
        removed,
        date=formats.moment(entry.at),
        count=removed,
    )
    if state and state.late:
        text = _("The nightly purge is late. %(last)s", last=text)
    return staff_tasks.Task(text, url, urgent=bool(state and state.late))


def scheduled_purge(now):
    """The worker's daily run: the purge, and the housekeeping of rows that hold nothing personal."""
    counts = purge(now)
    submissions.forget_old(now)
    db.session.commit()
    return counts


def purge(as_of, dry_run=False):
    """{kind: count} of what each processing removed (or would remove) as of that moment."""
    counts = {}
    for _processing, handlers in register.handlers_of(current_app):
        if handlers.purge:
            counts.update(handlers.purge(as_of, dry_run))
    if not dry_run:
        audit.log("purge", details={"as_of": as_of.date().isoformat(), **counts})
        db.session.commit()
    return counts


def due(start, end):
    """{kind: count} of what will be past its period between start and end (the DPO's page)."""
    counts = {}
    for _processing, handlers in register.handlers_of(current_app):
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
