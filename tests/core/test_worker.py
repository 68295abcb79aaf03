"""With a hanging SMTP server and mail waiting, the worker still stops when told, and the daily jobs
still run: each mail costs MAIL_TIMEOUT, so a round must not wait on all of them."""

import signal
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from koki_site import mail
from koki_site.core import jobs
from koki_site.core.models import WorkerBeat
from koki_site.extensions import db
from koki_site.mail import worker
from tests.helpers.worker import SilentServer, start_worker, wait_for_a_connection

pytestmark = pytest.mark.db


def queue_mails(app, count):
    with app.test_request_context():
        for number in range(count):
            mail.queue(f"reader{number}@example.org", f"Letter {number}", "Bonjour")
        db.session.commit()


def outbox(app):
    """(mails in the outbox, of which tried at least once)."""
    with app.app_context():
        tried = func.count().filter(mail.OutboxMail.attempts > 0)
        return tuple(db.session.execute(select(func.count(), tried).select_from(mail.OutboxMail)).one())


def test_the_worker_stops_at_sigterm_with_the_mail_in_hand_when_the_server_hangs(app):
    queue_mails(app, 30)
    with SilentServer() as silent:
        process = start_worker(app.config["SQLALCHEMY_DATABASE_URI"], silent.port, MAIL_TIMEOUT=1)
        try:
            wait_for_a_connection(silent)
            start = time.monotonic()
            process.send_signal(signal.SIGTERM)
            log, _ = process.communicate(timeout=40)  # 30 mails of one second each, and more
            took = time.monotonic() - start
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert "worker stopped" in log, log
    # The mail in hand (one timeout), not the 30 of the outbox: systemd would not wait for those.
    assert took < 5, f"the worker took {took:.1f} s to stop"
    # Nothing lost; a server that never greets is an outage: no mail spent an attempt on it.
    assert outbox(app) == (30, 0)


@pytest.mark.parametrize("app_settings", [{"MAIL_TIMEOUT": 1}])
def test_a_hanging_server_does_not_keep_the_daily_jobs_waiting(app, monkeypatch):
    queue_mails(app, 6)
    monkeypatch.setattr(worker, "ROUND_SECONDS", 0.5, raising=False)
    with SilentServer() as silent, app.app_context():
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.port)
        start = time.monotonic()
        worker.work_once(app)
        took = time.monotonic() - start
        purge = db.session.get(jobs.JobRun, "purge")
    assert took < 4, f"one round took {took:.1f} s"  # the first mail found the server down: not six
    assert purge is not None and purge.status == "ok"  # and the purge ran in the same round
    assert outbox(app)[0] == 6


def test_each_round_records_the_worker_s_heartbeat_every_thirty_seconds_at_most(app):
    with app.app_context():
        assert jobs.last_beat() is None  # no worker ever ran
        before = datetime.now(UTC)
        worker.work_once(app)
        first = jobs.last_beat()
        assert before <= first <= datetime.now(UTC)
        worker.beat(app, first + timedelta(seconds=10))
        assert jobs.last_beat() == first  # ten seconds on: not written again
        worker.beat(app, first + timedelta(seconds=30))
        assert jobs.last_beat() == first + timedelta(seconds=30)
        rows = db.session.scalars(select(WorkerBeat)).all()
    assert [row.host for row in rows] == [socket.gethostname()]  # one row per host, kept up to date
