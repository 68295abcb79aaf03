"""The staff audit log: who did what, when (SPEC §6). References only, never a visitor's data."""

import json
from datetime import UTC, datetime

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from koki_site import register
from koki_site.batches import expiring_rows
from koki_site.extensions import UTCDateTime, db
from koki_site.periods import Period


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None]  # the staff account, when a person acted
    actor: Mapped[str] = mapped_column(String(254))  # the account's email, or "cli"
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(80))  # e.g. "message:KOKI-2026-00042"
    details: Mapped[str | None] = mapped_column(String(1000))  # JSON: filters, counts, roles


def log(action, target=None, details=None, actor=None):
    """Add an entry to the current transaction: it is kept only if the action itself is."""
    actor_id = None
    if actor is None:
        if has_request_context() and current_user.is_authenticated:
            actor_id, actor = current_user.id, current_user.email
        else:
            actor = "cli"
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor_id=actor_id,
        actor=actor,
        action=action,
        target=target,
        details=json.dumps(details, sort_keys=True, default=str) if details is not None else None,
    )
    db.session.add(entry)
    return entry


def init_app(app):
    register.provide(app, "audit", purge=purge, due=due)


# Entries are kept AUDIT_RETENTION_MONTHS, then purged (through the register).
purge, due = expiring_rows(
    "audit entries", AuditEntry, AuditEntry.at, lambda: Period.from_config("AUDIT_RETENTION_MONTHS", "month")
)
