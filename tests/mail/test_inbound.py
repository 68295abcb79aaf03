"""Odd mail is filed or refused for good, never left for the mail server to retry for days: a NUL
in a header, an overlong Message-ID, a value the database refuses (exit 65); only a database
that cannot be reached asks for a retry (exit 75)."""

import socket

import pytest
from psycopg.errors import ProgramLimitExceeded
from sqlalchemy import text
from sqlalchemy.exc import DataError, OperationalError

from koki_site import create_app
from koki_site.contact import visitor_answers
from koki_site.extensions import db
from tests.conftest import settings
from tests.contact.test_visitor_answers import answer_to, answered_message, answers, receive

pytestmark = pytest.mark.db

LONG_ID = "<" + "a" * 280 + "@example.org>"  # 294 characters: more than the column holds


def test_a_nul_in_a_header_is_dropped_and_the_mail_filed(app, client, staff, smtp, runner):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    mail = answer_to(reply_mail).as_bytes().replace(b"Subject: ", b"Subject: =?utf-8?q?hello=00world?= ", 1)
    mail = mail.replace(b"From: Ada Lovelace", b"From: =?utf-8?q?Ada=00?= Lovelace", 1)
    result = receive(runner, mail)
    assert result.exit_code == 0, result.output
    (answer,) = answers(app)
    assert answer.subject.startswith("helloworld Re: ")
    assert answer.from_address == "ada@example.org"


def test_a_nul_in_an_attachment_name_is_dropped(app, client, staff, smtp, runner):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    mail = answer_to(reply_mail)
    mail.add_attachment(b"x" * 10, maintype="application", subtype="pdf", filename="plan\0.pdf")
    result = receive(runner, mail)
    assert result.exit_code == 0, result.output
    (answer,) = answers(app)
    assert "\\u0000" not in answer.dropped and "plan.pdf" in answer.dropped


def test_an_overlong_message_id_is_filed_once_and_its_sequel_joins_the_thread(
    app, client, staff, smtp, runner
):
    message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    first = answer_to(reply_mail, Message_ID=LONG_ID)
    result = receive(runner, first)
    assert result.exit_code == 0, result.output
    assert "already filed" in receive(runner, first).output  # delivered twice: still filed once
    # The visitor writes again, answering their own mail: its id is as long, and only its end differs.
    sequel_id = LONG_ID.replace("@", "b@")
    sequel = answer_to(
        reply_mail,
        text="Et pour 20 sites ?",
        Message_ID=sequel_id,
        In_Reply_To=LONG_ID,
        References=f"{reply_mail['Message-ID']} {LONG_ID}",
    )
    result = receive(runner, sequel)
    assert result.exit_code == 0 and "filed with" in result.output, result.output
    assert [(a.message_id, a.body.split("\n")[0]) for a in answers(app)] == [
        (message_id, "Merci, et pour 12 sites ?"),
        (message_id, "Et pour 20 sites ?"),
    ]
    assert all(len(a.mail_id) <= 250 for a in answers(app))


def refuse_with_data_error(_message):
    """What the database says of a value it will never take, whenever the mail comes again."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT CAST('twelve' AS integer)"))  # a real DataError
    raise DataError("INSERT INTO contact_answer ...", {}, ValueError("value too long"))


def time_out(_message):
    """A database too slow to answer: it may well answer the next time."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL statement_timeout = 1"))
        db.session.execute(text("SELECT pg_sleep(1)"))  # a real QueryCanceled
    raise OperationalError("SELECT ...", {}, Exception("database is locked"))


def exceed_a_limit(_message):
    raise OperationalError("INSERT ...", {}, ProgramLimitExceeded("index row size exceeds maximum"))


def trip(_message):
    raise ValueError("a mail our code cannot handle")


@pytest.mark.parametrize(
    ("failure", "status", "said"),
    [
        (refuse_with_data_error, 65, "not filed, it would fail again: DataError"),
        (exceed_a_limit, 65, "not filed, it would fail again: OperationalError"),
        (trip, 65, "not filed, it would fail again: ValueError"),
        (time_out, 75, "database unavailable, try again later"),
    ],
)
def test_only_a_database_that_may_answer_later_asks_for_a_retry(
    app, client, staff, smtp, runner, monkeypatch, failure, status, said
):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    monkeypatch.setattr(visitor_answers.mails, "notify_answer", failure)
    result = receive(runner, answer_to(reply_mail))
    assert result.exit_code == status, result.output
    assert said in result.stderr
    assert answers(app) == []


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens on it once the socket is closed


def test_a_database_out_of_reach_asks_the_server_to_try_again(app, client, staff, smtp, tmp_path):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/koki"
    down = create_app(settings(url), instance_path=tmp_path / "down")
    result = receive(down.test_cli_runner(), answer_to(reply_mail))
    assert result.exit_code == 75, result.output
    assert "database unavailable" in result.stderr
