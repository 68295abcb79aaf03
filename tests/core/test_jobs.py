"""The worker's daily jobs: run once at their hour however many workers run, and shown to admins."""

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from koki_site import create_app
from koki_site.core import audit, capabilities, jobs
from koki_site.extensions import db
from tests.conftest import settings
from tests.helpers import soup

pytestmark = pytest.mark.db


# The purge's hour, six hours ago: "five minutes" or "an hour later" never crosses it, whenever
# the tests run (at 02:58, five minutes later would be past 3 a.m. and the purge due again).
SIX_HOURS_AGO = {"PURGE_HOUR": (datetime.now(ZoneInfo("Europe/Paris")) - timedelta(hours=6)).hour}


def purge_entries(app):
    with app.app_context():
        return db.session.scalars(select(audit.AuditEntry).where(audit.AuditEntry.action == "purge")).all()


@pytest.mark.parametrize("app_settings", [SIX_HOURS_AGO])
def test_two_workers_at_the_same_moment_run_the_purge_once(app):
    """Two hosts: two apps on one database, racing for the job."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    other = create_app(settings(url, **SIX_HOURS_AGO), instance_path=app.instance_path)
    now = datetime.now(UTC)
    barrier, ran = threading.Barrier(2), []

    def worker(each):
        with each.app_context():
            barrier.wait()
            ran.extend(jobs.run_due(now))
            db.session.remove()

    threads = [threading.Thread(target=worker, args=(each,)) for each in (app, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with other.app_context():
        db.engine.dispose()
    assert ran.count("purge") == 1
    assert len(purge_entries(app)) == 1
    with app.app_context():
        assert "purge" not in jobs.run_due(now + timedelta(minutes=5))  # done for today
        assert "purge" in jobs.run_due(now + timedelta(days=1))  # and again tomorrow


@pytest.mark.parametrize("app_settings", [SIX_HOURS_AGO])
def test_a_failed_run_is_tried_again_an_hour_later(app, monkeypatch):
    def broken(now):
        raise RuntimeError("disk full")

    (job,) = [job for job in jobs.all_jobs(app) if job.name == "purge"]
    monkeypatch.setitem(
        capabilities.provided(app).jobs, job.name, jobs.Job(job.name, job.label, job.hour_key, broken)
    )
    now = datetime.now(UTC)
    with app.app_context():
        assert "purge" in jobs.run_due(now)
        assert "purge" not in jobs.run_due(now + timedelta(minutes=30))
        monkeypatch.setitem(capabilities.provided(app).jobs, job.name, job)
        assert "purge" in jobs.run_due(now + timedelta(minutes=61))
        (state,) = [state for state in jobs.states(now + timedelta(minutes=62)) if state.job.name == "purge"]
    assert state.run.status == "ok" and not state.late


def job_row(admin):
    return soup(admin.get("/staff/")).find(id="job-purge")


THREE_HOURS_AGO = (datetime.now(ZoneInfo("Europe/Paris")) - timedelta(hours=3)).hour


@pytest.mark.parametrize("app_settings", [{"PURGE_HOUR": THREE_HOURS_AGO}])
def test_admins_see_when_each_job_last_ran_and_a_late_one_is_flagged(app, staff):
    admin = staff("admin")
    never = job_row(admin)
    assert "Never" in never.get_text() and "Late" in never.get_text()  # due 3 hours ago, not run
    with app.app_context():
        jobs.run_due(datetime.now(UTC))
    done = job_row(admin)
    assert "Done" in done.get_text() and "Late" not in done.get_text()
    assert job_row(staff("support")) is None  # admins only


def test_an_error_repeated_is_written_once_with_its_count(app, caplog, monkeypatch):
    app.config["LOG_REPEAT_SECONDS"] = 60
    caplog.set_level(logging.WARNING)

    def fail():
        app.logger.error("database unavailable")  # one place in the code, as a real error has

    with app.app_context():
        for _ in range(5):
            fail()
        assert [r.getMessage() for r in caplog.records] == ["database unavailable"]
        later = time.monotonic() + 61
        monkeypatch.setattr(time, "monotonic", lambda: later)
        fail()
    assert caplog.records[-1].getMessage() == "database unavailable (and 4 more like it since)"
