"""`flask --app app worker`: delivers the outbox as soon as mail is queued, runs the daily jobs.

One long-running process; several may run on several hosts (mail and jobs are claimed, never
taken twice). It stops at SIGTERM or SIGINT once the mail in hand is sent.
"""

import logging
import signal
import threading
import time
from datetime import UTC, datetime

import click
from flask import current_app
from flask.cli import with_appcontext

from koki_site import mail
from koki_site.core import jobs
from koki_site.extensions import db

# A round of delivery ends after this many seconds even while mail is due (a hanging server
# takes MAIL_TIMEOUT per mail), so that the daily jobs are looked at, at least this often.
ROUND_SECONDS = 60


@click.command("worker")
@click.option("--poll", type=float, help="Seconds between two looks at the outbox (WORKER_POLL_SECONDS).")
@with_appcontext
def worker_command(poll):
    """Deliver queued mail within seconds and run the scheduled jobs at their hour, until stopped."""
    app = current_app._get_current_object()
    poll = poll or app.config["WORKER_POLL_SECONDS"]
    stopping = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda *_: stopping.set())
    app.logger.setLevel(logging.INFO)
    names = ", ".join(job.name for job in jobs.all_jobs())
    app.logger.info("worker started: the outbox every %s s; daily jobs: %s", poll, names)
    while not stopping.is_set():
        work_once(app, stopping)
        stopping.wait(poll)
    app.logger.info("worker stopped")


def work_once(app, stopping=None):
    """One round: the heartbeat, the mail that is due (for ROUND_SECONDS at most), then the jobs that
    are due.

    Told to stop (stopping set), the round ends with the mail in hand and starts no job.
    """
    stopping = stopping or threading.Event()
    round_ends = time.monotonic() + ROUND_SECONDS
    try:
        beat(app, datetime.now(UTC))
        mail.deliver(until=lambda: stopping.is_set() or time.monotonic() >= round_ends)
        if not stopping.is_set():
            jobs.run_due(datetime.now(UTC))
    except Exception:  # the database is away: the next round tries again
        db.session.rollback()
        app.logger.exception("worker round failed")
    finally:
        db.session.remove()


def beat(app, now):
    """The heartbeat, every jobs.BEAT_EVERY at most: a beat a second would be a write a second.

    Written at the start of a round, so it stops when the loop does, the database being away included.
    """
    last = app.extensions.get("koki_worker_beat")
    if last is None or now - last >= jobs.BEAT_EVERY:
        jobs.beat(now)
        app.extensions["koki_worker_beat"] = now
