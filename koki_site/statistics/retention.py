"""What the register needs of the statistics: the daily totals go after STATISTICS_RETENTION_MONTHS."""

from sqlalchemy import delete, func, select

from koki_site.core.periods import Period
from koki_site.extensions import db
from koki_site.statistics.models import ConsentDecisions, PageViews

TOTALS = {"daily page views": PageViews, "daily cookie decisions": ConsentDecisions}


def cutoff(moment):
    return Period.from_config("STATISTICS_RETENTION_MONTHS", "month").before(moment).date()


def purge(as_of, dry_run):
    """Days are few (one row per day, page and language): one statement per table is enough."""
    counts = {}
    for kind, model in TOTALS.items():
        old = model.day < cutoff(as_of)
        if dry_run:
            counts[kind] = db.session.scalar(select(func.count()).select_from(model).where(old))
        else:
            counts[kind] = db.session.execute(delete(model).where(old)).rowcount
            db.session.commit()
    return counts


def due(start, end):
    return {
        kind: db.session.scalar(
            select(func.count()).select_from(model).where(model.day >= cutoff(start), model.day < cutoff(end))
        )
        for kind, model in TOTALS.items()
    }
