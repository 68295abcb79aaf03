"""The mail outbox: each queued mail, its Message-ID and its delivery state."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import UTCDateTime, db


class OutboxMail(db.Model):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    headers: Mapped[str | None] = mapped_column(Text)  # JSON of extra headers (List-Unsubscribe…)
    ref: Mapped[str | None] = mapped_column(String(80), index=True)  # what it belongs to: "reply:12"
    message_id: Mapped[str] = mapped_column(String(250))  # fixed when queued: a resend is the same mail
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
