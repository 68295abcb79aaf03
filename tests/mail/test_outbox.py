"""The outbox: queued with its data, delivered by SMTP, kept with its error when delivery fails."""

from pathlib import Path

import pytest
from sqlalchemy import select

from koki_site import mail
from koki_site.extensions import db
from tests.helpers.mail import text_of

pytestmark = pytest.mark.db


def queue_one(app, to="visitor@example.org", **headers):
    with app.test_request_context():
        queued = mail.queue(
            to, "Votre demande", "Bonjour,\nvoici notre réponse.", headers=headers or None, ref="t:1"
        )
        db.session.commit()
        return queued.id


def outbox(app):
    with app.app_context():
        return db.session.scalars(select(mail.OutboxMail)).all()


def test_a_queued_mail_is_delivered_and_leaves_the_outbox(app, smtp, runner):
    queue_one(app, **{"List-Unsubscribe": "<https://example.org/u>"})
    result = runner.invoke(args=["mail", "send"])
    assert "Mail sent: 1, not sent: 0." in result.output
    (message,) = smtp.wait_for(1)
    assert message["To"] == "visitor@example.org"
    assert message["Subject"] == "Votre demande"
    assert message["List-Unsubscribe"] == "<https://example.org/u>"
    assert message["Message-ID"]
    assert message["Date"].endswith(" +0000")  # UTC, known: "-0000" says the zone is unknown
    assert message["Auto-Submitted"] == "auto-generated"  # no person wrote it (RFC 3834)
    assert "voici notre réponse" in text_of(message)
    assert outbox(app) == []


def test_with_the_server_down_the_mail_stays_with_its_error_then_goes_later(app, smtp_server, runner):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens on port 1
    queue_one(app)
    for _ in range(2):  # an outage is no mail's failure: no attempt spent, so no back-off either
        assert "Mail sent: 0, not sent: 1." in runner.invoke(args=["mail", "send"]).output
    (kept,) = outbox(app)
    assert kept.attempts == 0 and "ConnectionRefused" in kept.last_error
    smtp_server.messages.clear()
    app.config.update(MAIL_PORT=smtp_server.port)
    assert "Mail sent: 1" in runner.invoke(args=["mail", "send"]).output
    assert len(smtp_server.wait_for(1)) == 1 and outbox(app) == []


def test_without_a_server_mail_is_written_as_eml_files(app, runner):
    queue_one(app)
    runner.invoke(args=["mail", "send"])
    (eml,) = Path(app.instance_path, "mail").glob("*.eml")
    assert b"Subject: Votre demande" in eml.read_bytes()


@pytest.mark.parametrize(
    "bad", ["a@example.org\r\nBcc: x@example.org", "a@example.org\nX: y", "a\0@example.org"]
)
def test_header_injection_is_refused(app, bad):
    with app.test_request_context(), pytest.raises(ValueError, match="line break"):
        mail.queue(bad, "Subject", "text")


def test_backoff_grows_and_is_capped():
    assert [mail.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 10, 20)] == [1, 2, 4, 360, 360]
