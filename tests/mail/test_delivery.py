"""Pages never wait on SMTP; mail is delivered at least once and visibly once; the worker."""

import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.exc import OperationalError

from koki_site import create_app, mail
from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from koki_site.mail import worker
from tests.conftest import Mailbox, free_port, settings
from tests.helpers.contact import send_contact
from tests.helpers.worker import (
    HangingUpServer,
    SilentServer,
    start_worker,
    stop_worker,
    wait_for_a_connection,
)

pytestmark = pytest.mark.db


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def all_due_now(app):
    """As if every backoff and lease had run out."""
    with app.app_context():
        db.session.execute(
            update(mail.OutboxMail)
            .where(mail.OutboxMail.next_attempt_at.is_not(None))
            .values(next_attempt_at=datetime.now(UTC))
        )
        db.session.commit()


def idle_in_transaction(app):
    """Connections of the test database left "idle in transaction" (PostgreSQL only)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return 0
        query = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
        )
        return db.session.scalar(query)


@pytest.mark.parametrize("app_settings", [{"MAIL_DELIVERY": "worker", "MAIL_TIMEOUT": 4}])
def test_a_hanging_smtp_server_stalls_nothing_and_loses_nothing(app, client, smtp_server):
    with SilentServer() as silent:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.port)
        worker = start_worker(app.config["SQLALCHEMY_DATABASE_URI"], silent.port, MAIL_TIMEOUT=4)
        try:
            slowest = 0.0
            for number in range(24):
                start = time.monotonic()
                assert send_contact(client, "en", message=f"Message {number}").status_code == 303
                slowest = max(slowest, time.monotonic() - start)
            assert client.get("/en/privacy").status_code == 200
            # Each form answered in less than one SMTP timeout: none waited on the server. (Per
            # request, not in all: 24 forms on a loaded machine may take longer than one timeout.)
            assert slowest < app.config["MAIL_TIMEOUT"]
            assert count(app, ContactMessage) == 24
            wait_for_a_connection(silent)  # the worker holds a mail, waiting for the greeting
            assert idle_in_transaction(app) == 0  # no transaction held open during the conversation
            assert silent.most_at_once <= 1  # one mail at a time per worker: delivery is bounded
        finally:
            log = stop_worker(worker)
    assert "worker stopped" in log, log
    # The server answers again: every notification goes out, once.
    smtp_server.messages.clear()
    app.config.update(MAIL_PORT=smtp_server.port)
    all_due_now(app)
    with app.app_context():
        assert mail.deliver() == (24, 0)
    ids = [message["Message-ID"] for message in smtp_server.wait_for(24)]
    assert len(ids) == len(set(ids)) == 24


class RemovalRefused:
    """While set, the database refuses to remove a mail from the outbox, as one gone away would."""

    def __init__(self, engine):
        self.engine, self.away = engine, True

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.refuse)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self.refuse)

    def refuse(self, conn, cursor, statement, parameters, context, executemany):
        if self.away and statement.startswith("DELETE FROM mail_outbox"):
            raise OperationalError(statement, parameters, Exception("the database went away"))


def queue_mails(app, *subjects):
    with app.test_request_context():
        for subject in subjects:
            mail.queue("ada@example.org", subject, "Text")
        db.session.commit()


def test_a_mail_sent_whose_removal_failed_is_removed_once_the_database_answers_not_sent_again(app, smtp):
    queue_mails(app, "First", "Second")
    with app.app_context(), RemovalRefused(db.engine) as database:
        assert mail.deliver() == (1, 0)  # sent; not removed: its sender holds it, and claims no other
        assert count(app, mail.OutboxMail) == 2
        assert mail.deliver() == (0, 0)
        database.away = False
        all_due_now(app)  # even once its lease has run out
        assert mail.deliver() == (1, 0)
    assert [message["Subject"] for message in smtp.wait_for(2)] == ["First", "Second"]
    assert count(app, mail.OutboxMail) == 0


def test_a_mail_whose_sender_died_before_recording_it_goes_again_with_its_message_id(app, smtp, tmp_path):
    queue_mails(app, "Subject")
    with app.app_context(), RemovalRefused(db.engine):
        assert mail.deliver() == (1, 0)  # sent, not removed; then this sender is gone
    other_sender = create_app(
        settings(app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port),
        instance_path=tmp_path / "other",
    )
    with other_sender.app_context():
        assert mail.deliver() == (0, 0)  # within its lease, nobody sends it again
    all_due_now(app)  # the lease runs out
    with other_sender.app_context():
        assert mail.deliver() == (1, 0)
        db.engine.dispose()
    first, second = smtp.wait_for(2)
    assert first["Message-ID"] == second["Message-ID"]  # one mail in the recipient's client
    assert count(app, mail.OutboxMail) == 0


def test_the_lease_is_a_few_smtp_timeouts_not_minutes(app):
    with app.test_request_context():
        queued = mail.queue("ada@example.org", "Subject", "Text")
        db.session.commit()
        before = datetime.now(UTC)
        claimed = mail.delivery.claim()
        held_until = db.session.get(mail.OutboxMail, queued.id).next_attempt_at
    assert claimed.id == queued.id
    assert (held_until - before).total_seconds() <= 6 * app.config["MAIL_TIMEOUT"] + 1


@pytest.fixture
def postgresql_only(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("several workers share a PostgreSQL database (SQLite: one worker)")


def test_two_workers_deliver_200_mails_exactly_once(app, smtp, postgresql_only):
    with app.test_request_context():
        for number in range(200):
            mail.queue(f"reader{number}@example.org", f"Letter {number}", "Bonjour")
        db.session.commit()
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    workers = [start_worker(url, smtp.port) for _ in range(2)]
    try:
        received = smtp.wait_for(200, timeout=60)
    finally:
        logs = [stop_worker(worker) for worker in workers]
    assert len(received) == 200, logs
    assert len({message["Message-ID"] for message in received}) == 200
    assert sorted(message["To"] for message in received) == sorted(
        f"reader{n}@example.org" for n in range(200)
    )
    assert count(app, mail.OutboxMail) == 0
    assert all("worker stopped" in log for log in logs)  # a graceful stop at SIGTERM


@pytest.mark.parametrize("app_settings", [{"MAIL_DELIVERY": "worker"}])
def test_the_worker_delivers_what_a_page_queued_within_seconds(app, client, smtp):
    worker = start_worker(app.config["SQLALCHEMY_DATABASE_URI"], smtp.port)
    try:
        assert send_contact(client, "en").status_code == 303
        (notification,) = smtp.wait_for(1, timeout=20)
    finally:
        log = stop_worker(worker)
    assert notification["To"] == app.config["SUPPORT_EMAIL"], log


class RefusingMailbox(Mailbox):
    """A real SMTP server that refuses one recipient, as a server does an address it does not know."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("unknown@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Refusing:
    """Nothing listens: the connection is refused."""

    def __enter__(self):
        self.port = free_port()
        return self

    def __exit__(self, *exc):
        pass


OUTAGES = {
    "refused": Refusing,
    "hanging": SilentServer,  # the greeting never comes: the connection times out
    "hanging up": HangingUpServer,  # closed before a word: SMTPServerDisconnected
    "421": lambda: HangingUpServer(b"421 4.3.2 Service not available\r\n"),  # SMTPConnectError
}


@pytest.mark.parametrize("outage", OUTAGES)
@pytest.mark.parametrize("app_settings", [{"MAIL_DELIVERY": "worker", "MAIL_TIMEOUT": 0.5}])
def test_an_outage_of_the_smtp_server_spends_no_attempt(app, outage):
    addresses = [f"reader{number}@example.org" for number in range(4)]
    with app.test_request_context():
        for address in (*addresses, "unknown@example.org"):
            mail.queue(address, "Letter", "Bonjour")
        db.session.commit()
    rounds = app.config["MAIL_MAX_ATTEMPTS"] + 2
    with OUTAGES[outage]() as down:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=down.port)
        for _ in range(rounds):
            all_due_now(app)  # hours of outage: every back-off has run out
            with app.app_context():
                worker.work_once(app)
    with app.app_context():
        rows = db.session.scalars(select(mail.OutboxMail).order_by(mail.OutboxMail.id)).all()
        waiting = [(m.attempts, m.next_attempt_at is None) for m in rows]
        errors = [m.last_error for m in rows]
    # The server is back: one round delivers every mail, once, and refuses the unknown address.
    mailbox = RefusingMailbox()
    mailbox.controller.start()
    try:
        app.config.update(MAIL_PORT=mailbox.port)
        with app.app_context():
            worker.work_once(app)
        received = mailbox.wait_for(len(addresses))
    finally:
        mailbox.controller.stop()
    assert sorted(message["To"] for message in received) == addresses
    # During the outage every mail waited, none spent an attempt, none was given up; each round
    # stopped at the first mail, which keeps the outage's error.
    assert waiting == [(0, False)] * 5
    assert errors[0] and errors[1:] == [None] * 4
    with app.app_context():
        (refused,) = db.session.scalars(select(mail.OutboxMail)).all()
    # A refusal of one mail by the server still counts: one attempt, its error kept, tried again later.
    assert refused.to_address == "unknown@example.org"
    assert refused.attempts == 1 and "550" in refused.last_error and refused.next_attempt_at is not None
