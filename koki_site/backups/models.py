"""The backups' tables: the ledger of erasures and rectifications a restore replays."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import UTCDateTime, db


class LedgerEntry(db.Model):
    __tablename__ = "erasure_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    address_hmac: Mapped[str] = mapped_column(String(64), index=True)
    action: Mapped[str] = mapped_column(String(16))  # one of ACTIONS
    arguments: Mapped[str | None] = mapped_column(Text)  # JSON: what the handler was given
