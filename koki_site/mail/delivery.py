"""Delivering the outbox: claim in one short transaction, send with none open, record in another.

No database transaction is ever open during an SMTP conversation: a server that accepts and never
answers holds one sender for MAIL_TIMEOUT, never a connection of the pool nor a page. A claim
holds a mail for a lease of a few SMTP timeouts; a sender that dies with it leaves it to the next
one after the lease. A mail sent whose removal failed (the database went away, or failed over)
is held by its sender and removed before it claims anything else, so it is not sent again. Only
a sender that dies or stops in between leaves it to go again after the lease: delivery is at
least once, under a Message-ID fixed when queued, so the recipient's client shows it once.

A server that cannot be reached is no mail's failure: the round stops at the first mail and puts
it back, due, with its error and its attempts unspent. Counted, an outage of two hours would give
up on every mail of the outbox (MAIL_MAX_ATTEMPTS, with back-off to an hour).
"""

import email.policy
import json
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from blinker import Namespace
from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import SQLAlchemyError

from koki_site.extensions import db
from koki_site.mail import html_part
from koki_site.mail.outbox import OutboxMail

signals = Namespace()
# Sent with the mail's `ref` once delivered, or once it has failed for good.
delivered = signals.signal("mail-delivered")
failed = signals.signal("mail-failed")

HEADER_POLICY = email.policy.default.clone(max_line_length=998)  # RFC 5322's limit
# A claim holds a mail for this many SMTP timeouts (a conversation is a handful of exchanges,
# each bounded by MAIL_TIMEOUT); then another sender may take it.
LEASE_TIMEOUTS = 6


class ServerUnavailable(Exception):
    """The SMTP server could not be reached, or would take no mail at all (greeting, STARTTLS, login)."""


@dataclass(frozen=True)
class Claimed:
    """A mail taken from the outbox: plain values, so sending it touches no session."""

    id: int
    to_address: str
    subject: str
    body_text: str
    headers: str | None
    ref: str | None
    message_id: str
    attempts: int


def lease():
    return timedelta(seconds=LEASE_TIMEOUTS * current_app.config["MAIL_TIMEOUT"])


def deliver(ids=None, until=None):
    """Send the mail that is due (only ids, if given), one after the other; return (sent, failed).

    until(), asked before each mail, ends the round early: with a server that hangs, each mail
    takes MAIL_TIMEOUT, and a worker told to stop (or whose jobs are due) must not first wait on
    every mail in the outbox. A server that cannot be reached ends it too: the next mail would find
    it down as well.
    """
    sent = errors = 0
    while not (until and until()) and record_held() and (mail := claim(ids)):
        try:
            ok = send_and_record(mail)
        except ServerUnavailable:
            return sent, errors + 1
        sent, errors = sent + ok, errors + (not ok)
    return sent, errors


def claim(ids=None):
    """Take the next due mail for this sender, in one statement and one short transaction; or None.

    On PostgreSQL, FOR UPDATE SKIP LOCKED lets several senders claim side by side, each taking
    another row; SQLite has one writer at a time. Either way a mail is claimed once per lease.
    """
    now = datetime.now(UTC)
    due = select(OutboxMail.id).where(OutboxMail.next_attempt_at <= now)
    if ids is not None:
        due = due.where(OutboxMail.id.in_(ids))
    due = due.order_by(OutboxMail.id).limit(1).with_for_update(skip_locked=True)
    statement = (
        update(OutboxMail)
        .where(OutboxMail.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=now + lease())
        .returning(*(getattr(OutboxMail, name) for name in Claimed.__dataclass_fields__))
        .execution_options(synchronize_session=False)
    )
    try:
        row = db.session.execute(statement).first()
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("mail not claimed: database unavailable")
        return None
    return Claimed(*row) if row else None


def send_and_record(mail):
    """Send one claimed mail, then record the outcome; True when it was sent.

    ServerUnavailable passes through, once the mail is put back.
    """
    try:
        send(mail)
    except ServerUnavailable as unavailable:
        put_back(mail, unavailable.__cause__)
        raise
    except (OSError, smtplib.SMTPException) as error:
        record_failure(mail, error)
        return False
    record_delivery(mail)
    return True


def record_delivery(mail):
    """A delivered mail leaves the outbox; while the database cannot say so, its sender holds it."""
    if not remove(mail):
        held().append(mail)


def held():
    """The mail this process sent and could not remove yet: it goes before any other claim."""
    return current_app.extensions.setdefault("koki_mail_sent_not_recorded", [])


def record_held():
    """Remove the mail held since the database went away; False while it is still away."""
    mails = held()
    while mails:
        if not remove(mails[0]):
            return False
        mails.pop(0)
    return True


def remove(mail):
    try:
        db.session.execute(delete(OutboxMail).where(OutboxMail.id == mail.id))
        db.session.commit()
        delivered.send(current_app._get_current_object(), ref=mail.ref)
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("mail %s sent, not recorded yet: held until it is", mail.id)
        return False
    return True


def put_back(mail, error):
    """The server was not reached for this mail: due again at once, with the error, no attempt spent."""
    current_app.logger.warning(
        "mail server unavailable (%s): the outbox waits, no attempt spent", kind(error)
    )
    values = {"next_attempt_at": datetime.now(UTC), "last_error": error_text(error)}
    try:
        db.session.execute(update(OutboxMail).where(OutboxMail.id == mail.id).values(**values))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("mail %s not put back: it waits for the end of its lease", mail.id)


def kind(error):
    return type(error).__name__


def error_text(error):
    # Kept with the mail, which holds the address anyway; the log only gets the error's kind.
    return f"{kind(error)}: {error}"[:2000]


def record_failure(mail, error):
    attempts = mail.attempts + 1
    given_up = attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]
    values = {
        "attempts": attempts,
        "last_error": error_text(error),
        "next_attempt_at": None if given_up else datetime.now(UTC) + backoff(attempts),
    }
    current_app.logger.warning("mail %s not delivered: %s", mail.id, kind(error))
    try:
        db.session.execute(update(OutboxMail).where(OutboxMail.id == mail.id).values(**values))
        db.session.commit()
        if given_up:  # kept, with its error, for staff to see
            failed.send(current_app._get_current_object(), ref=mail.ref)
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("mail %s: failure not recorded, it will be tried again", mail.id)


def backoff(attempts):
    """1, 2, 4 … minutes after each failure, at most 6 hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def message_of(mail):
    config = current_app.config
    # Long headers (a List-Unsubscribe URL) stay whole: folded, they would be encoded and unreadable.
    message = EmailMessage(policy=HEADER_POLICY)
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    headers = json.loads(mail.headers or "{}")
    message["Date"] = format_datetime(datetime.now(UTC))  # "+0000": the time is known to be UTC
    message["Message-ID"] = mail.message_id
    # RFC 3834: a mail a person wrote (a reply) says "no", so that the visitor's auto-responder answers it.
    message["Auto-Submitted"] = headers.pop("Auto-Submitted", "auto-generated")
    lang = headers.pop("Content-Language", None)  # a mail to a visitor: set once its parts are
    for name, value in headers.items():
        message[name] = value
    message.set_content(mail.body_text)
    if lang:
        message.add_alternative(html_part.render(mail.body_text, lang, mail.subject), subtype="html")
        message["Content-Language"] = lang  # after: setting a content clears the Content-* headers
    return message


def send(mail):
    config = current_app.config
    message = message_of(mail)
    if not config["MAIL_SERVER"]:
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{mail.id}.eml").write_bytes(message.as_bytes())
        return
    with connect(config) as smtp:
        smtp.send_message(message)


def connect(config):
    """An SMTP session ready to take a mail: greeted, in TLS if asked, logged in.

    What fails before the first command about a mail is the server's doing, or its settings', and
    no mail's: ServerUnavailable. Past that point a failure counts against the mail, even a
    disconnection: a mail the server always drops on must not hold the outbox forever.
    """
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    try:
        smtp = smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"])
    except (OSError, smtplib.SMTPException) as error:  # refused, timed out, no greeting, a 421
        raise ServerUnavailable from error
    try:
        smtp.ehlo_or_helo_if_needed()
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
            smtp.ehlo_or_helo_if_needed()  # again, as RFC 3207 asks, before anything else
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except (OSError, smtplib.SMTPException) as error:
        smtp.close()
        raise ServerUnavailable from error
    return smtp
