"""Several hosts: two app instances (gunicorn with deploy/gunicorn.conf.py) and two workers
(`flask --app app worker`) sharing one PostgreSQL and one Redis, each as on a host of its own.

One rate limit, one consent ledger, each mail delivered once, each daily job run once.
"""

import secrets
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from koki_site import mail
from koki_site.consent.models import ConsentRecord
from koki_site.core import jobs
from koki_site.core.audit import AuditEntry
from koki_site.extensions import db
from tests.conftest import SECRET
from tests.core.test_rate_limits import redis_available
from tests.helpers.contact import VALID
from tests.helpers.deploy import (
    Gunicorn,
    app_environment,
    forget_limits,
    header_values,
    plain_http,
    wait_until,
)
from tests.helpers.worker import start_worker, stop_worker

pytestmark = pytest.mark.db
DECISION = urlencode({"choice": "reject_all", "lang": "en", "source": "banner", "next": "/en/"})
SAME_ORIGIN = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
QUEUED = 20  # mails queued straight into the outbox, for the two workers to compete over


class Visitor:
    """A browser without JavaScript on one instance: it keeps its cookies, follows no redirect."""

    def __init__(self, port):
        self.port, self.cookies = port, {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        status, answer_headers, content = plain_http(self.port, method, path, headers=headers, body=body)
        for line in header_values(answer_headers, "Set-Cookie"):
            name, _, rest = line.partition("=")
            self.cookies[name] = rest.partition(";")[0]
        return status, content

    def submit(self, path, **fields):
        """Read the form's page, post the form with its hidden fields (token, submission id)."""
        status, page = self.request("GET", path)
        assert status == 200, path
        submission = BeautifulSoup(page, "html.parser").find("input", attrs={"name": "submission"})
        form = submission.find_parent("form")
        hidden = {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}
        body = urlencode({**hidden, **fields})
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})[0]


def consent_id(visitor):
    serializer = URLSafeTimedSerializer(SECRET, salt="koki-consent")
    return serializer.loads(visitor.cookies["koki_consent"])["id"]


def count(app, query):
    with app.app_context():
        return db.session.scalar(query)


@pytest.fixture
def shared_services(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("several hosts share a PostgreSQL database (SQLite is one host's file)")
    if not redis_available():
        pytest.skip("no Redis on 127.0.0.1:6379 for the hosts to share")


@pytest.mark.parametrize("app_settings", [{"MAIL_DELIVERY": "worker"}])
def test_two_instances_and_two_workers_make_one_site(app, smtp, shared_services, tmp_path):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    prefix = f"koki-test-hosts-{secrets.token_hex(4)}"
    # Every daily job due now: its hour is this one (a first run is due at any hour; this says so).
    hour = datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).hour
    site = app_environment(
        url,
        MAIL_DELIVERY="worker",
        SESSION_COOKIE_SECURE="false",  # plain HTTP between the test and gunicorn
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
        RATELIMIT_KEY_PREFIX=prefix,
        CONSENT_RATE_LIMIT="2 per hour",
    )
    jobs_due = {"PURGE_HOUR": hour, "BACKUP_HOUR": hour, "BACKUP_DIR": tmp_path / "backups"}
    backup_key = f"key-{secrets.token_hex(24)}"
    instances, workers, logs = [], [], []
    try:
        instances = [Gunicorn(site, tmp_path / f"gunicorn-{n}.log") for n in "ab"]
        workers = [start_worker(url, smtp.port, BACKUP_KEY=backup_key, **jobs_due) for _ in range(2)]
        for instance in instances:
            instance.wait_ready()
        first, second = (instance.port for instance in instances)

        # One rate limit: two decisions a client may make, wherever it posts them.
        deciders = [Visitor(port) for port in (first, second, first, second)]
        statuses = [v.request("POST", "/consent", DECISION, SAME_ORIGIN)[0] for v in deciders]
        assert statuses == [303, 303, 429, 429]

        # One consent ledger: both decisions, and only those, in it.
        with app.app_context():
            ledger = sorted(db.session.scalars(select(ConsentRecord.consent_id)))
        assert ledger == sorted(consent_id(visitor) for visitor in deciders[:2])

        # Each mail once: forms posted to both instances, and more mail queued meanwhile.
        for number, port in enumerate((first, second)):
            assert Visitor(port).submit("/en/contact", **VALID) == 303
            assert Visitor(port).submit("/en/newsletter", email=f"reader{number}@example.org") == 303
        with app.test_request_context():
            for number in range(QUEUED):
                mail.queue(f"queued{number}@example.org", f"Letter {number}", "Bonjour")
            db.session.commit()
        waiting = select(func.count()).select_from(mail.OutboxMail)
        wait_until(lambda: count(app, waiting) == 0, 60, "an empty outbox")

        # One run of each daily job, whichever worker claimed it.
        names = {job.name for job in jobs.all_jobs(app)}
        finished = select(func.count()).where(jobs.JobRun.status.in_(("ok", "failed")))
        wait_until(lambda: count(app, finished) == len(names), 60, f"the daily jobs {sorted(names)}")
    finally:
        logs = [stop_worker(worker) for worker in workers]
        for instance in instances:
            instance.stop()
        forget_limits(prefix)

    # Stopped: nothing more can be sent, so what arrived is all there will be.
    received = smtp.messages
    expected = [app.config["SUPPORT_EMAIL"]] * 2 + [f"reader{n}@example.org" for n in range(2)]
    expected += [f"queued{n}@example.org" for n in range(QUEUED)]
    assert sorted(message["To"] for message in received) == sorted(expected), logs
    assert len({message["Message-ID"] for message in received}) == len(expected)
    with app.app_context():
        runs = {run.name: run.status for run in db.session.scalars(select(jobs.JobRun))}
        purges = db.session.scalar(select(func.count()).where(AuditEntry.action == "purge"))
    assert runs == dict.fromkeys(names, "ok"), logs
    assert purges == 1
    assert len(list((tmp_path / "backups").glob("*.age"))) == 1
    assert all("worker stopped" in log for log in logs), logs
