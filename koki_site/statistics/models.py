"""Daily aggregates, and the day's salt and hashed visitors that are never kept past their day."""

from datetime import date

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from koki_site.extensions import db


class PageViews(db.Model):
    """Views and unique visitors of one page, in one language, on one day. Nothing else."""

    __tablename__ = "stats_page_views"

    day: Mapped[date] = mapped_column(primary_key=True)
    page: Mapped[str] = mapped_column(String(200), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    views: Mapped[int] = mapped_column(default=0)
    visitors: Mapped[int] = mapped_column(default=0)


class DailySalt(db.Model):
    """The key that hashes visitor ids today; deleted with the day, so no hash can be linked later."""

    __tablename__ = "stats_daily_salt"

    day: Mapped[date] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class DailyVisitor(db.Model):
    """A hashed visitor id seen on a page today, to count each visitor once; deleted with the day."""

    __tablename__ = "stats_daily_visitor"

    day: Mapped[date] = mapped_column(primary_key=True)
    page: Mapped[str] = mapped_column(String(200), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    visitor_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class ConsentDecisions(db.Model):
    """How many cookie decisions of one kind (accepted, refused, custom) were made on one day."""

    __tablename__ = "stats_consent_decisions"

    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    decisions: Mapped[int] = mapped_column(default=0)
