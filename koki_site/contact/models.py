"""A contact message, with its legal basis, language, reference and deletion date; its thread."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from koki_site.extensions import UTCDateTime, db

STATUSES = ("new", "open", "answered", "closed", "spam")
TOPICS = ("demo", "quote", "support", "partnership", "other")  # SPEC §4, the optional `topic` field
# The id makes the reference shown to the visitor: on SQLite, AUTOINCREMENT so that an erased
# message's number is never given again (PostgreSQL's sequences never go back anyway).
NEVER_REUSED_IDS = {"sqlite_autoincrement": True}


class ContactMessage(db.Model):
    __tablename__ = "contact_message"
    __table_args__ = NEVER_REUSED_IDS

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
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    delete_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_account.id"), index=True)
    restricted: Mapped[bool] = mapped_column(default=False)  # restriction or objection: no processing

    replies: Mapped[list["ContactReply"]] = relationship(order_by="ContactReply.id", back_populates="message")
    notes: Mapped[list["ContactNote"]] = relationship(order_by="ContactNote.id", back_populates="message")

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
