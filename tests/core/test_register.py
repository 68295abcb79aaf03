"""Nothing personal outlives its record: the outbox goes with its record, the log holds no address."""

import logging
import smtplib
from datetime import UTC, date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from koki_site import mail
from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from tests.conftest import free_port
from tests.helpers import soup, tables_holding
from tests.helpers.contact import send_contact
from tests.helpers.rights import ask, verify_link
from tests.helpers.staff import csrf_token

pytestmark = pytest.mark.db
ADA = "ada@example.org"


def reply_waiting_in_the_outbox(app, client, staff):
    """Ada writes; support answers while the SMTP server is down: the reply waits in the outbox."""
    assert send_contact(client, "en").status_code == 303
    with app.app_context():
        message_id = db.session.scalar(select(ContactMessage.id))
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    support = staff("support")
    page = f"/staff/messages/{message_id}"
    support.post(f"{page}/reply", data={"csrf_token": csrf_token(support, page), "body": "Bonjour Ada"})
    assert "mail_outbox" in tables_holding(app, ADA)


def test_the_purge_takes_the_mail_of_a_message_with_it(app, client, staff, runner):
    reply_waiting_in_the_outbox(app, client, staff)
    later = date.today() + timedelta(days=400)
    assert "contact messages: deleted 1" in runner.invoke(args=["purge", "--as-of", later.isoformat()]).output
    assert tables_holding(app, ADA) == set()
    assert tables_holding(app, "Bonjour Ada") == set()


def test_an_erasure_leaves_the_address_only_in_the_rights_request(app, client, staff, smtp_server):
    reply_waiting_in_the_outbox(app, client, staff)
    smtp_server.messages.clear()
    app.config.update(MAIL_PORT=smtp_server.port)
    ask(client, "erasure", ADA)
    (verification,) = [m for m in smtp_server.wait_for(1) if m["To"] == ADA]
    path = verify_link(verification)
    client.post(path, data={"action": "verify"})
    assert client.post(path, data={"action": "erase"}).status_code == 200
    assert tables_holding(app, ADA) == {"rights_request"}


def test_undelivered_mail_is_deleted_after_its_period_which_the_policy_states(app, client, runner):
    with app.test_request_context():
        mail.queue(ADA, "Subject", "Text")
        db.session.commit()
        # Written 31 days ago and given up since.
        written = datetime.now(UTC) - timedelta(days=app.config["MAIL_RETENTION_DAYS"] + 1)
        db.session.execute(update(mail.OutboxMail).values(created_at=written, next_attempt_at=None))
        db.session.commit()
    output = runner.invoke(args=["purge"]).output
    assert "undelivered mail: deleted 1" in output
    assert tables_holding(app, ADA) == set()
    outgoing = [row for row in soup(client.get("/en/privacy")).find_all("tr") if "Outgoing email" in row.text]
    assert outgoing and "30 days" in outgoing[0].get_text(" ")


class RefusingRecipients:
    """An SMTP server that refuses every recipient, naming the address in its answer."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return f"550 5.1.1 <{address}>: no such user"


@pytest.fixture
def log_file(tmp_path):
    """Everything the site logged during the test, at every level (not the test's SMTP server)."""
    path = tmp_path / "site.log"
    handler = logging.FileHandler(path)
    handler.addFilter(lambda record: not record.name.startswith(("mail.log", "asyncio")))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(previous)
    handler.close()


def test_the_log_holds_no_address_nor_anything_typed(app, client, log_file):
    typed = "Ma ligne de production est arrêtée"
    # A server that refuses the recipient, naming it.
    server = Controller(RefusingRecipients(), hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, SUPPORT_EMAIL=ADA)
        assert send_contact(client, "en", message=typed).status_code == 303
    finally:
        server.stop()
    # A database failure on the next message: 503 with the text kept, and a logged traceback.
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("ALTER TABLE contact_message RENAME TO contact_message_away"))
        try:
            response = send_contact(client, "en", message=typed, email="Bob.Other@example.org")
        finally:
            with db.engine.begin() as connection:
                connection.execute(text("ALTER TABLE contact_message_away RENAME TO contact_message"))
    assert response.status_code == 503 and typed in response.get_data(as_text=True)
    logged = log_file.read_text()
    assert "not delivered: SMTPRecipientsRefused" in logged  # the failures were logged…
    assert "contact message not stored" in logged and "Traceback" in logged
    for secret in (ADA, "bob.other@example.org", typed, "Lovelace"):  # …without what was typed
        assert secret.lower() not in logged.lower(), secret


@pytest.mark.parametrize(
    "error",
    [
        smtplib.SMTPRecipientsRefused({ADA: (550, b"no such user")}),
        IntegrityError(
            "INSERT INTO newsletter_subscription …", None, Exception(f"Key (email)=({ADA}) exists")
        ),
    ],
    ids=["smtp", "database"],
)
def test_a_logged_exception_keeps_its_kind_and_place_not_its_message(app, log_file, error):
    try:
        raise error
    except Exception:
        app.logger.exception("something failed")
    logged = log_file.read_text()
    assert type(error).__name__ in logged and "test_register.py" in logged  # kind, place
    assert ADA not in logged
