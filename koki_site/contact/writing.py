"""What an agent writes with: saved replies (per language, shared by support) and a signature each.

The reply box starts with the greeting and the agent's signature in the message's language, in
full view: the mail is exactly what the box holds, nothing is added behind the agent's back.
"""

from datetime import datetime

from flask_babel import force_locale, gettext
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import UTCDateTime, db

SIGNATURE_SEPARATOR = "-- "  # RFC 3676 §4.3: mail clients grey out or trim what follows


class SavedReply(db.Model):
    """A text support reuses ("Thank you, here is our price list…"), in one language."""

    __tablename__ = "contact_saved_reply"
    __table_args__ = (UniqueConstraint("language", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(254))


class Signature(db.Model):
    """A staff member's signature in one language."""

    __tablename__ = "contact_signature"

    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


def saved_replies(language=None):
    query = select(SavedReply).order_by(SavedReply.language, SavedReply.title)
    if language:
        query = query.where(SavedReply.language == language)
    return db.session.scalars(query).all()


def signature(account_id, language):
    found = db.session.get(Signature, (account_id, language))
    return found.body if found else ""


def greeting(message):
    """ "Bonjour Élodie," or "Hello Elodie,": the visitor's language, their first name."""
    with force_locale(message.language):
        return gettext("Hello %(name)s,", name=message.first_name)


def draft(message, account_id):
    """The reply box's first text: the greeting, room to write, the signature."""
    body = f"{greeting(message)}\n\n\n"
    sign = signature(account_id, message.language)
    return f"{body}\n{SIGNATURE_SEPARATOR}\n{sign}" if sign else body


def insert(body, text):
    """body with text added where the agent writes: before the signature, else at the end."""
    body, text = (body or "").rstrip(), text.strip()
    marker = f"\n{SIGNATURE_SEPARATOR}\n"
    head, found, tail = body.partition(marker)
    if not found:
        return f"{body}\n\n{text}\n" if body else f"{text}\n"
    return f"{head.rstrip()}\n\n{text}\n{marker}{tail}"
