"""The mail outbox (SPEC §9): mail is queued in the transaction of its data, then delivered.

`queue()` adds a mail to the current transaction; after the caller commits, `deliver_queued()`
delivers what this request queued, in a background thread by default (MAIL_DELIVERY), and
`flask mail send` delivers whatever is due. A failed delivery stays in the outbox with its error
and is tried again later, waiting longer each time. A delivered mail leaves the outbox. Without
MAIL_SERVER, mail is written as .eml files under instance/mail/.
"""

import email.policy
import json
import smtplib
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from blinker import Namespace
from flask import current_app, g
from sqlalchemy import String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from koki_site import addresses, register
from koki_site.batches import count_where, delete_in_batches
from koki_site.extensions import UTCDateTime, db
from koki_site.periods import Period

signals = Namespace()
# Sent with the mail's `ref` once delivered, or once it has failed for good.
delivered = signals.signal("mail-delivered")
failed = signals.signal("mail-failed")

THREAD_NAME = "koki-mail-delivery"
HEADER_POLICY = email.policy.default.clone(max_line_length=998)  # RFC 5322's limit
LEASE = timedelta(minutes=10)  # how long a sender holds a mail before another may try it


class OutboxMail(db.Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    headers: Mapped[str | None] = mapped_column(Text)  # JSON of extra headers (List-Unsubscribe…)
    ref: Mapped[str | None] = mapped_column(String(80), index=True)  # what it belongs to: "reply:12"
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)


def init_app(app):
    register.provide(app, PROCESSING, purge=purge, due=due, erase=erase)


PROCESSING = "mail"


def check_header(value):
    """Refuse what could forge a header: CR, LF, NUL (SPEC §9)."""
    if any(char in value for char in "\r\n\0"):
        raise ValueError("a mail header may not hold a line break or NUL")
    return value


def queue(to, subject, text, headers=None, ref=None):
    """Add a mail to the current transaction; deliver_queued() sends it after the commit."""
    for value in (to, subject, *(headers or {}).values()):
        check_header(value)
    now = datetime.now(UTC)
    mail = OutboxMail(
        created_at=now,
        to_address=to,
        subject=subject,
        body_text=text,
        headers=json.dumps(headers) if headers else None,
        ref=ref,
        next_attempt_at=now,
    )
    db.session.add(mail)
    g.setdefault("queued_mail", []).append(mail)
    return mail


def deliver_queued():
    """Deliver the mail this request queued, now committed, as MAIL_DELIVERY says."""
    ids = [mail.id for mail in g.pop("queued_mail", [])]
    mode = current_app.config["MAIL_DELIVERY"]
    if not ids or mode == "cli":
        return
    if mode == "inline":
        deliver(ids)
        return
    app = current_app._get_current_object()
    threading.Thread(target=deliver_in_background, args=(app, ids), name=THREAD_NAME, daemon=True).start()


def deliver_in_background(app, ids):
    with app.app_context():
        try:
            deliver(ids)
        except Exception:  # a thread has nobody to tell but the log; the mail stays queued
            app.logger.exception("background mail delivery failed")


def deliver(ids=None):
    """Send the due mail (only ids, if given); return (sent, failed)."""
    now = datetime.now(UTC)
    query = select(OutboxMail.id).where(OutboxMail.next_attempt_at <= now).order_by(OutboxMail.id)
    if ids is not None:
        query = query.where(OutboxMail.id.in_(ids))
    sent = errors = 0
    for mail_id in db.session.scalars(query).all():
        mail = claim(mail_id, now)
        if mail is None:
            continue  # another sender has it
        try:
            send(mail)
        except (OSError, smtplib.SMTPException) as error:
            errors += 1
            record_failure(mail, error, now)
        else:
            sent += 1
            ref = mail.ref
            db.session.delete(mail)
            db.session.commit()
            delivered.send(current_app._get_current_object(), ref=ref)
    return sent, errors


def claim(mail_id, now):
    """Take a mail for LEASE, so that two senders never send it twice."""
    claimed = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.next_attempt_at <= now)
        .values(next_attempt_at=now + LEASE)
    )
    db.session.commit()
    return db.session.get(OutboxMail, mail_id) if claimed.rowcount == 1 else None


def record_failure(mail, error, now):
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:2000]
    if mail.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        mail.next_attempt_at = None  # given up: kept, with its error, for staff to see
    else:
        mail.next_attempt_at = now + backoff(mail.attempts)
    db.session.commit()
    # The error names the address (SMTPRecipientsRefused does): the outbox row keeps it, the log not.
    current_app.logger.warning("mail %s not delivered: %s", mail.id, type(error).__name__)
    if mail.next_attempt_at is None:
        failed.send(current_app._get_current_object(), ref=mail.ref)


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
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].rstrip(">"))
    message["Auto-Submitted"] = "auto-generated"
    for name, value in json.loads(mail.headers or "{}").items():
        message[name] = value
    message.set_content(mail.body_text)
    return message


def send(mail):
    config = current_app.config
    message = message_of(mail)
    if not config["MAIL_SERVER"]:
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{mail.id}.eml").write_bytes(message.as_bytes())
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def cancel(*refs):
    """Drop the mail of these refs still waiting in the outbox (their record is gone, or withdrawn)."""
    db.session.execute(delete(OutboxMail).where(OutboxMail.ref.in_(refs)))


def erase(address):
    """Drop every mail still waiting for this address (erasure: SPEC §7)."""
    result = db.session.execute(delete(OutboxMail).where(addresses.same(OutboxMail.to_address, address)))
    return {"mail waiting to be sent": result.rowcount}


# Mail is delivered within minutes or hours (backoff); what stays longer has failed for good and
# is kept MAIL_RETENTION_DAYS for diagnosis, then deleted with the address and text it holds.
def expiry_cutoff(moment):
    return Period.from_config("MAIL_RETENTION_DAYS", "day").before(moment)


def purge(as_of, dry_run):
    condition = OutboxMail.created_at < expiry_cutoff(as_of)
    deleted = delete_in_batches(
        OutboxMail.id,
        condition,
        lambda ids: db.session.execute(delete(OutboxMail).where(OutboxMail.id.in_(ids))),
        dry_run,
    )
    return {"undelivered mail": deleted}


def due(start, end):
    condition = (OutboxMail.created_at >= expiry_cutoff(start)) & (OutboxMail.created_at < expiry_cutoff(end))
    return {"undelivered mail": count_where(OutboxMail.id, condition)}
