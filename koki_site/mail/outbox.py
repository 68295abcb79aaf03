"""The outbox: one row per mail, added in the transaction of the data it belongs to.

A mail belongs to its record (its `ref`): purged or erased with it. Its Message-ID is fixed when
it is queued, so a mail sent again after a failed bookkeeping shows as one in the recipient's
client. Undelivered mail is kept MAIL_RETENTION_DAYS for diagnosis, then purged.
"""

import json
from datetime import UTC, datetime
from email.utils import make_msgid

from flask import current_app, g
from sqlalchemy import delete, func, select

from koki_site.core import addresses
from koki_site.core.batches import expiring_rows
from koki_site.core.periods import Period
from koki_site.extensions import db
from koki_site.mail.models import OutboxMail

PROCESSING = "mail"


def check_header(value):
    """Refuse what could forge a header: CR, LF, NUL, whatever a visitor typed."""
    if any(char in value for char in "\r\n\0"):
        raise ValueError("a mail header may not hold a line break or NUL")
    return value


WRITTEN_BY_A_PERSON = {"Auto-Submitted": "no"}  # the header of a reply, rather than "auto-generated"


def queue(to, subject, text, headers=None, ref=None, lang=None):
    """Add a mail to the current transaction; the worker sends it once committed (tests: deliver_queued()).

    lang: the language of a mail to a visitor, which is sent with an HTML part as well as its text.
    """
    if lang:
        headers = (headers or {}) | {"Content-Language": lang}
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
        message_id=make_msgid(domain=sender_domain()),
        next_attempt_at=now,
    )
    db.session.add(mail)
    g.setdefault("queued_mail", []).append(mail)
    return mail


def sender_domain():
    return current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2].rstrip(">")


def cancel(*refs):
    """Drop the mail of these refs still waiting in the outbox (their record is gone, or withdrawn)."""
    db.session.execute(delete(OutboxMail).where(OutboxMail.ref.in_(refs)))


# What supervision reads (GET /metrics, core/metrics.py): a mail waits while it has a next attempt;
# one given up has none, and stays for diagnosis.
def waiting():
    """How many mails wait to be delivered."""
    return db.session.scalar(select(func.count()).where(OutboxMail.next_attempt_at.is_not(None)))


def oldest_waiting_age():
    """Seconds since the oldest mail still waiting was written; 0 when none waits."""
    oldest = db.session.scalar(
        select(func.min(OutboxMail.created_at)).where(OutboxMail.next_attempt_at.is_not(None))
    )
    return (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0


def given_up():
    """How many mails were given up after MAIL_MAX_ATTEMPTS."""
    return db.session.scalar(select(func.count()).where(OutboxMail.next_attempt_at.is_(None)))


def addresses_held():
    return db.session.scalars(select(OutboxMail.to_address).distinct()).all()


def erase(address):
    """Drop every mail still waiting for this address (an erasure: nothing more goes to them)."""
    result = db.session.execute(delete(OutboxMail).where(addresses.same(OutboxMail.to_address, address)))
    return {"mail waiting to be sent": result.rowcount}


# Mail is delivered within minutes or hours (backoff); what stays longer has failed for good and
# is kept MAIL_RETENTION_DAYS for diagnosis, then deleted with the address and text it holds.
purge, due = expiring_rows(
    "undelivered mail",
    OutboxMail,
    OutboxMail.created_at,
    lambda: Period.from_config("MAIL_RETENTION_DAYS", "day"),
)
