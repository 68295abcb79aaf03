"""Failover: the primary PostgreSQL killed under traffic, its synchronous standby promoted.

The site (gunicorn with deploy/gunicorn.conf.py) and the worker (`flask worker`) are given one URL
naming both servers (`?host=…&host=…&target_session_attrs=read-write`) and follow the promotion
with no restart. Visitors send the contact form all along. Meanwhile they get at worst a 503 that
shows their text again, never a 500; every form acknowledged is on the new primary (a commit
returned once the standby had it), stored once; every notification is delivered once.

Not marked db: it runs servers of its own, whatever TEST_DATABASE_URL names, so once per run.
"""

import re
import threading
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup

from koki_site import create_app
from koki_site.core import schema
from koki_site.extensions import db
from tests import conftest
from tests.conftest import settings
from tests.helpers.contact import VALID
from tests.helpers.deploy import Gunicorn, app_environment, header_values, plain_http, wait_until
from tests.helpers.replication import Cluster, account, server_binaries
from tests.helpers.worker import start_worker, stop_worker

BINARIES, ACCOUNT = server_binaries(), account()
pytestmark = [
    pytest.mark.skipif(BINARIES is None, reason="no PostgreSQL server binaries (Debian: postgresql)"),
    pytest.mark.skipif(ACCOUNT is None, reason="no postgres account to run PostgreSQL's servers as"),
]
VISITORS = 4
FORMS = 12  # acknowledged before the primary is killed, and again after the promotion
FORM_DEADLINE = 20  # seconds a visitor keeps sending one form before giving up on it
REFERENCE = re.compile(r"KOKI-\d{4}-\d{5,}")
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


class Visitors:
    """Browsers without JavaScript sending the contact form, one after the other, until stopped.

    Each sends every form until it is acknowledged (303): after a 503, the form the page shows
    again, as a visitor would press the button again. Each 503 page must hold what they typed.
    """

    def __init__(self, port):
        self.port = port
        self.statuses = Counter()  # every answer, by (method, status)
        self.acknowledged = []  # the references of the 303s
        self.text_lost = []  # the 503 pages of a POST that did not show the text again
        self.abandoned = []  # forms still not acknowledged after FORM_DEADLINE
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.visit, args=(n,), daemon=True) for n in range(VISITORS)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()  # each finishes the form in hand
        for thread in self.threads:
            thread.join(timeout=FORM_DEADLINE + 10)

    def count(self, method, status):
        with self.lock:
            self.statuses[method, status] += 1

    def visit(self, number):
        cookies = {}
        for sent in range(1, 100_000):
            if self.stopping.is_set():
                return
            fields = {
                **VALID,
                "email": f"visitor{number}@example.org",
                "message": f"Visitor {number}, form {sent}: notre laverie est à l’arrêt.",
            }
            self.send(cookies, fields)

    def request(self, cookies, method, body=None):
        headers = dict(FORM_HEADERS) if body else {}
        if cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
        try:
            answer = plain_http(self.port, method, "/en/contact", headers=headers, body=body)
        except OSError:
            answer = "no answer", [], b""
        status, answer_headers, content = answer
        for line in header_values(answer_headers, "Set-Cookie"):
            name, _, rest = line.partition("=")
            cookies[name] = rest.partition(";")[0]
        self.count(method, status)
        return status, answer_headers, BeautifulSoup(content, "html.parser")

    def send(self, cookies, fields):
        deadline = time.monotonic() + FORM_DEADLINE
        hidden = None
        while time.monotonic() < deadline:
            if hidden is None:
                status, _, page = self.request(cookies, "GET")
                if status != 200:
                    continue
                hidden = hidden_fields(page)
            status, headers, page = self.request(cookies, "POST", urlencode({**hidden, **fields}))
            if status == 303:
                (location,) = header_values(headers, "Location")
                with self.lock:
                    self.acknowledged.append(REFERENCE.search(urlsplit(location).path).group())
                return
            if status == 503 and page.find("textarea", attrs={"name": "message"}):
                if not shows_again(page, fields):
                    self.text_lost.append(page.get_text(" ", strip=True)[:300])
                hidden = hidden_fields(page)  # the same submission id: sent twice, stored once
            elif status == 503:
                self.text_lost.append(page.get_text(" ", strip=True)[:300])
        self.abandoned.append(fields["message"])

    def seen(self, status):
        with self.lock:
            return sum(n for (_, answered), n in self.statuses.items() if answered == status)

    def acknowledged_count(self):
        with self.lock:
            return len(self.acknowledged)


def hidden_fields(page):
    form = page.find("input", attrs={"name": "submission"}).find_parent("form")
    return {field["name"]: field.get("value", "") for field in form.find_all("input", type="hidden")}


def shows_again(page, fields):
    message = page.find("textarea", attrs={"name": "message"}).get_text().strip()
    email = page.find("input", attrs={"name": "email"})["value"]
    return message == fields["message"] and email == fields["email"]


class Mailbox(conftest.Mailbox):
    """The SMTP server; told so, it runs an action while it takes a mail, before it answers 250."""

    def __init__(self):
        super().__init__()
        self.before_answer = None

    async def handle_DATA(self, server, session, envelope):
        if (action := self.before_answer) is not None:
            action()
            self.before_answer = None
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def mailbox():
    mailbox = Mailbox()
    mailbox.controller.start()
    yield mailbox
    mailbox.controller.stop()


@pytest.fixture
def cluster():
    """A primary and its synchronous standby: a commit returns once both have it."""
    cluster = Cluster(BINARIES, ACCOUNT)
    try:
        primary = cluster.primary("primary", synchronous_standby_names="standby")
        standby = cluster.standby_of(primary, "standby")
        replication = "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby'"
        wait_until(lambda: primary.query(replication) == [("sync",)], 30, "a synchronous standby")
        primary.query("CREATE DATABASE koki")
        yield primary, standby
    finally:
        cluster.stop()


def test_a_promoted_standby_takes_over_and_no_acknowledged_form_is_lost(cluster, mailbox, tmp_path):
    primary, standby = cluster
    hosts = f"host=127.0.0.1:{primary.port}&host=127.0.0.1:{standby.port}"
    url = f"postgresql+psycopg://postgres@/koki?{hosts}&target_session_attrs=read-write"
    app = create_app(settings(url), instance_path=tmp_path / "instance")
    with app.app_context():
        schema.upgrade()
        db.engine.dispose()
    site = app_environment(
        url,
        MAIL_DELIVERY="worker",
        SESSION_COOKIE_SECURE="false",  # plain HTTP between the visitors and gunicorn
        CONTACT_RATE_LIMIT="10000 per minute",  # every visitor is 127.0.0.1; the limit still runs
    )
    started = time.monotonic()
    gunicorn = worker = None
    try:
        gunicorn = Gunicorn(site, tmp_path / "gunicorn.log", workers=2)
        # MAIL_TIMEOUT 1 s: a mail whose claim was answered by no primary goes once its lease (six) is over.
        worker = start_worker(url, mailbox.port, MAIL_TIMEOUT=1)
        gunicorn.wait_ready()
        with Visitors(gunicorn.port) as visitors:
            wait_until(lambda: visitors.acknowledged_count() >= FORMS, 30, f"{FORMS} forms on the primary")
            # The primary goes while the worker sends a notification: the server has the mail, the
            # database will not hear that it was sent.
            mailbox.before_answer = primary.kill
            wait_until(lambda: mailbox.before_answer is None, 30, "the primary killed under a mail")
            before = visitors.acknowledged_count()
            # The promotion comes once visitors have met the outage, as an operator's would.
            wait_until(lambda: visitors.seen(503) >= VISITORS, 30, "503s while no primary takes writes")
            standby.promote()
            promoted = visitors.acknowledged_count()  # some may come from commits made before the kill
            wait_until(
                lambda: visitors.acknowledged_count() >= promoted + FORMS, 30, f"{FORMS} forms on the new one"
            )
        waiting = "SELECT count(*) FROM mail_outbox"
        wait_until(lambda: standby.query(waiting, "koki") == [(0,)], 30, "an empty outbox on the new primary")
    finally:
        log = stop_worker(worker) if worker else ""
        if gunicorn:
            gunicorn.stop()
    took = time.monotonic() - started

    # Stopped: nothing more can be sent, so what arrived is all there will be.
    rows = standby.query("SELECT reference FROM contact_message", "koki")
    stored = sorted(reference for (reference,) in rows)
    copies = Counter()
    message_ids = {}
    for message in mailbox.messages:
        reference = REFERENCE.search(message["Subject"]).group()
        copies[reference] += 1
        message_ids.setdefault(reference, set()).add(message["Message-ID"])
    statuses = visitors.statuses
    figures = (
        f"503: {statuses['GET', 503]} GET, {statuses['POST', 503]} POST; 500: {visitors.seen(500)}; "
        f"acknowledged: {len(visitors.acknowledged)} ({before} before the kill, "
        f"{promoted - before} until promoted); {len(mailbox.messages)} mails for "
        f"{len(copies)} messages; {took:.1f} s from the site's start"
    )
    print(figures)
    assert {status for _, status in statuses} <= {200, 303, 503}, (statuses, gunicorn.log()[-3000:])
    assert visitors.text_lost == [], visitors.text_lost
    assert visitors.abandoned == [], visitors.abandoned
    # Each form acknowledged is on the new primary, once; and nothing else is there.
    assert len(set(visitors.acknowledged)) == len(visitors.acknowledged), figures
    assert stored == sorted(visitors.acknowledged), figures
    # Each notification arrived once: the mail the worker was sending when the primary went (its
    # removal lost with it) is held, and removed on the new primary rather than sent again.
    assert sorted(copies) == stored, (figures, log)
    assert all(len(ids) == 1 for ids in message_ids.values()), message_ids
    assert copies.most_common(1)[0][1] == 1, (figures, copies.most_common(3), log)
    assert "sent, not recorded yet" in log, log  # the worker did hold that mail
    assert "worker stopped" in log, log
