"""A rights request: who asked for what, when it was proven, its deadline, and how it was answered."""

from datetime import date, datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import UTCDateTime, db

# to_examine: an objection, its records restricted until the DPO upholds or rejects it (Art. 18(1)(d)).
STATUSES = ("awaiting_verification", "open", "to_examine", "extended", "done", "refused")


class RightsRequest(db.Model):
    __tablename__ = "rights_request"
    # The id makes the reference: on SQLite, AUTOINCREMENT, so that a purged request's number is
    # never given again (PostgreSQL's sequences never go back anyway).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)  # KOKI-R-2026-00007
    email: Mapped[str] = mapped_column(String(254), index=True)  # kept: the proof of handling
    right: Mapped[str] = mapped_column(String(24))  # a key of register.RIGHTS
    details: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24), default="awaiting_verification", index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline: Mapped[date | None]  # one calendar month after verification; two more if extended
    extension_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(Text)  # JSON: what was done, removed, kept and why
    answer: Mapped[str | None] = mapped_column(Text)  # the DPO's answer, as mailed
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
