"""Read marks, per agent: a message is unread for an agent until they open it, and again once the
visitor writes after that (an answer by mail moves the message's activity_at on)."""

from datetime import UTC, datetime

from sqlalchemy import delete, select

from koki_site.contact.models import ContactRead
from koki_site.extensions import db


def mark_read(message, account_id):
    mark = db.session.get(ContactRead, (message.id, account_id))
    now = datetime.now(UTC)
    if mark is None:
        db.session.add(ContactRead(message_id=message.id, account_id=account_id, read_at=now))
    else:
        mark.read_at = now


def mark_unread(message, account_id):
    db.session.execute(
        delete(ContactRead).where(ContactRead.message_id == message.id, ContactRead.account_id == account_id)
    )


def unread_among(messages, account_id):
    """The ids of those messages this agent has not read since the visitor last wrote."""
    if not messages:
        return set()
    reads = dict(
        db.session.execute(
            select(ContactRead.message_id, ContactRead.read_at).where(
                ContactRead.account_id == account_id,
                ContactRead.message_id.in_([m.id for m in messages]),
            )
        ).all()
    )
    return {m.id for m in messages if m.id not in reads or reads[m.id] < (m.activity_at or m.received_at)}


def forget(message_ids):
    """The marks of messages being deleted."""
    db.session.execute(delete(ContactRead).where(ContactRead.message_id.in_(message_ids)))
