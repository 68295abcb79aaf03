"""A contact message, with its legal basis, language, reference and deletion date; its thread.

The thread holds our replies (mailed), internal notes (never mailed) and the visitor's answers
(mail that came back to the reply address). `search_text` and `email_key` are derived from the
message (contact/search.py keeps them): the inbox searches and groups by them through indexes.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from koki_site.extensions import UTCDateTime, db

STATUSES = ("new", "open", "answered", "closed", "spam")
TOPICS = ("demo", "quote", "support", "partnership", "other")  # the form's optional `topic`, fixed values
# The id makes the reference shown to the visitor: on SQLite, AUTOINCREMENT so that an erased
# message's number is never given again (PostgreSQL's sequences never go back anyway).
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}


class ContactMessage(db.Model):
    __tablename__ = "contact_message"
    # The inbox lists by time, newest first, per status or not, and pages by (time, id): these
    # indexes answer a page and the counts per status without reading the table.
    __table_args__ = (
        Index("ix_contact_message_received_at_id", "received_at", "id"),
        Index("ix_contact_message_status_received_at_id", "status", "received_at", "id"),
        NEVER_REUSED_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)  # KOKI-2026-00042
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), index=True)
    company: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")  # E.164, or empty
    topic: Mapped[str | None] = mapped_column(String(16))  # one of TOPICS, or None
    message: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    legal_basis: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delete_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"), index=True)
    restricted: Mapped[bool] = mapped_column(default=False)  # restriction or objection: no processing
    # When the visitor last wrote (the message, then each answer): newer than an agent's reading,
    # the message is unread for that agent.
    activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Name, address, company and text, lower-cased, without accents, words only (contact/search.py).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    email_key: Mapped[str] = mapped_column(String(254), default="", server_default="", index=True)

    replies: Mapped[list["ContactReply"]] = relationship(order_by="ContactReply.id", back_populates="message")
    notes: Mapped[list["ContactNote"]] = relationship(order_by="ContactNote.id", back_populates="message")
    answers: Mapped[list["ContactAnswer"]] = relationship(
        order_by="ContactAnswer.id", back_populates="message"
    )

    @property
    def name(self):
        return f"{self.first_name} {self.last_name}"


class ContactReply(db.Model):
    """A reply mailed to the visitor, kept with its delivery result."""

    __tablename__ = "contact_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("contact_message.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    author: Mapped[str] = mapped_column(String(254))  # the staff member's email when they wrote
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivery_status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, sent, failed
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    message: Mapped[ContactMessage] = relationship(back_populates="replies")


class ContactNote(db.Model):
    """An internal note: staff only, never mailed."""

    __tablename__ = "contact_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("contact_message.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"))
    author: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    message: Mapped[ContactMessage] = relationship(back_populates="notes")


class ContactAnswer(db.Model):
    """The visitor's answer: a mail sent to the reply address of one of our replies (text only)."""

    __tablename__ = "contact_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("contact_message.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    from_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250), default="")
    body: Mapped[str] = mapped_column(Text)
    mail_id: Mapped[str | None] = mapped_column(String(250), index=True)  # its Message-ID: filed once
    # JSON list of what was not kept: [{"name", "type", "size"}]; and how the text was obtained.
    dropped: Mapped[str | None] = mapped_column(Text)
    from_html: Mapped[bool] = mapped_column(default=False)
    truncated: Mapped[bool] = mapped_column(default=False)

    message: Mapped[ContactMessage] = relationship(back_populates="answers")

    @property
    def created_at(self):  # the thread sorts every entry by this
        return self.received_at


class ContactRead(db.Model):
    """That an agent read a message, and when: unread again once the visitor writes after it."""

    __tablename__ = "contact_read"

    message_id: Mapped[int] = mapped_column(ForeignKey("contact_message.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("staff_account.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactStatusCount(db.Model):
    """How many messages have each status, kept by the database's own triggers (migration 0013), so
    that the inbox counts without reading the messages. Never written by the app."""

    __tablename__ = "contact_status_count"

    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    messages: Mapped[int] = mapped_column(default=0)


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
