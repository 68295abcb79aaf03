"""The core's tables: the audit log, the daily jobs' runs and the worker's heartbeat, the settings
admins change, forms stored once."""

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import UTCDateTime, db


class JobRun(db.Model):
    """The last run of one scheduled job."""

    __tablename__ = "scheduled_job"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str | None] = mapped_column(String(16))  # running, ok, failed
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(Text)  # JSON: what it did, or the error's kind
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkerBeat(db.Model):
    """When the worker of one host last went round its loop (supervision reads the latest)."""

    __tablename__ = "worker_heartbeat"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SiteSetting(db.Model):
    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(254))


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor_id: Mapped[int | None]  # the staff account, when a person acted
    actor: Mapped[str] = mapped_column(String(254))  # the account's email, or "cli"
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str | None] = mapped_column(String(80))  # e.g. "message:KOKI-2026-00042"
    details: Mapped[str | None] = mapped_column(String(1000))  # JSON: filters, counts, roles


class FormSubmission(db.Model):
    __tablename__ = "form_submission"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)  # "<form>:<token>"
    answer: Mapped[str] = mapped_column(String(300))  # where the first POST sent the visitor
    reference: Mapped[str | None] = mapped_column(String(40))  # the reference it was given, if any
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
