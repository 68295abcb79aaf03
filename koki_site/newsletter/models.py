"""A subscription, with the proof of consent; after unsubscribing, the address only as a keyed hash.

The address is stored lower-cased, so the unique constraint allows one subscription per address
whatever its case, even when two requests insert at once.
"""

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, validates

from koki_site.core import addresses
from koki_site.extensions import UTCDateTime, db

STATUSES = ("pending", "confirmed", "unsubscribed")


class Subscription(db.Model):
    __tablename__ = "newsletter_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # None once unsubscribed
    email_hmac: Mapped[str] = mapped_column(String(64), index=True)  # kept as proof, not reversible
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), index=True)
    legal_basis: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(200))  # the page the form was on
    policy_version: Mapped[str] = mapped_column(String(32))
    consent_text_sha256: Mapped[str] = mapped_column(String(64))
    subscribed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    restricted: Mapped[bool] = mapped_column(default=False)  # restriction or objection: never exported

    @validates("email")
    def normalise_email(self, key, address):
        return addresses.normalise(address) if address else address


def email_hmac(address):
    """HMAC-SHA256 of the address under the site's secret: proves a subscription, reveals nothing."""
    key = hashlib.sha256(f"koki-newsletter-address:{current_app.secret_key}".encode()).digest()
    return hmac.new(key, addresses.normalise(address).encode(), hashlib.sha256).hexdigest()
