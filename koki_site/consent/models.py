"""The consent ledger: one row per decision, append-only, nothing that identifies a person."""

from datetime import datetime

from sqlalchemy import String, event
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import UTCDateTime, db


class ConsentRecord(db.Model):
    """Proof of one cookie decision: what was chosen, when, under which text (its SHA-256)."""

    __tablename__ = "consent_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    consent_id: Mapped[str] = mapped_column(String(64), index=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    statistics: Mapped[bool]
    enhancement: Mapped[bool]
    requests: Mapped[bool]
    policy_version: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    method: Mapped[str] = mapped_column(String(16))  # banner or settings
    text_sha256: Mapped[str] = mapped_column(String(64))


@event.listens_for(ConsentRecord, "before_update")
def refuse_update(mapper, connection, target):
    raise ValueError("the consent ledger is append-only")
