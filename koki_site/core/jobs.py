"""Scheduled jobs: run daily at their hour by `flask worker`, once however many workers run.

A job is claimed by one UPDATE that only succeeds if nobody ran it since its scheduled time and
no other worker holds it (a lease, in case that worker died): several workers on several hosts,
SQLite or PostgreSQL, never run a job twice. Each run is recorded, so that the staff home can
show admins when each job last ran, and flag one that is late: a purge that silently stops is a
broken promise of the privacy policy. The worker also records that it is alive (its heartbeat),
which supervision reads at GET /metrics.
"""

import json
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from koki_site.core import capabilities
from koki_site.core.models import JobRun, WorkerBeat
from koki_site.extensions import db

LEASE = timedelta(hours=1)  # a job still "running" after this was dropped by a dead worker
RETRY_AFTER = timedelta(hours=1)  # a failed run is tried again after this
LATE_AFTER = timedelta(hours=2)  # no success this long after its hour: the job is late
BEAT_EVERY = timedelta(seconds=30)  # the worker writes its heartbeat at most this often


@dataclass(frozen=True)
class Job:
    name: str
    label: object  # what admins read (lazy text)
    hour_key: str  # configuration key of its hour, in BABEL_DEFAULT_TIMEZONE
    run: object  # run(now) -> {what: count}


def all_jobs(app=None):
    return list(capabilities.provided(app).jobs.values())


def scheduled_time(job, now):
    """The last moment the job was due, at or before now: today at its hour, else yesterday."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    local = now.astimezone(zone)
    at = datetime.combine(local.date(), time(current_app.config[job.hour_key]), zone)
    if at > local:
        at -= timedelta(days=1)
    return at.astimezone(UTC)


def run_due(now):
    """Run every job that is due and that this worker could claim; the names of those run."""
    ran = []
    for job in all_jobs():
        if claim(job, now):
            finish(job, now)
            ran.append(job.name)
    return ran


def claim(job, now):
    ensure_row(job.name)
    due = scheduled_time(job, now)
    statement = (
        update(JobRun)
        .where(
            JobRun.name == job.name,
            or_(JobRun.lease_until.is_(None), JobRun.lease_until < now),
            or_(
                JobRun.started_at.is_(None),
                JobRun.started_at < due,
                (JobRun.status == "failed") & (JobRun.finished_at < now - RETRY_AFTER),
            ),
        )
        .values(status="running", started_at=now, lease_until=now + LEASE)
        .execution_options(synchronize_session=False)
    )
    claimed = db.session.execute(statement).rowcount == 1
    db.session.commit()
    return claimed


def ensure_row(name):
    if db.session.get(JobRun, name) is None:
        db.session.add(JobRun(name=name))
        try:
            db.session.commit()
        except Exception:  # another worker added it first
            db.session.rollback()


def finish(job, started):
    """Run the claimed job and record how it went."""
    try:
        summary, status = job.run(started), "ok"
    except Exception as error:
        db.session.rollback()
        current_app.logger.exception("scheduled job %s failed", job.name)
        summary, status = {"error": type(error).__name__}, "failed"
    now = datetime.now(UTC)
    values = {"status": status, "finished_at": now, "summary": json.dumps(summary), "lease_until": None}
    if status == "ok":
        values["succeeded_at"] = now
    db.session.execute(
        update(JobRun)
        .where(JobRun.name == job.name)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@dataclass(frozen=True)
class JobState:
    job: Job
    run: JobRun | None
    late: bool

    @property
    def summary(self):
        return json.loads(self.run.summary) if self.run and self.run.summary else {}


def states(now):
    """Each job with its last run, and whether it is late (for the staff home)."""
    runs = {run.name: run for run in db.session.scalars(select(JobRun))}
    result = []
    for job in all_jobs():
        run = runs.get(job.name)
        due = scheduled_time(job, now)
        succeeded = run.succeeded_at if run else None
        late = now - due > LATE_AFTER and (succeeded is None or succeeded < due)
        result.append(JobState(job, run, late))
    return result


def beat(now):
    """Record that this host's worker goes round its loop: one row per host, the latest moment."""
    host = socket.gethostname()[:255]
    statement = update(WorkerBeat).where(WorkerBeat.host == host).values(beat_at=now)
    if db.session.execute(statement.execution_options(synchronize_session=False)).rowcount == 0:
        db.session.add(WorkerBeat(host=host, beat_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # another worker of this host wrote the first beat meanwhile
        db.session.rollback()


def last_beat():
    """The latest heartbeat of any worker, or None when no worker ever ran."""
    return db.session.scalar(select(func.max(WorkerBeat.beat_at)))
