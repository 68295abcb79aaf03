"""The list's growth: new subscribers (confirmed) and unsubscriptions per week, as a chart with its table.

A week starts on Monday at midnight where the staff are (BABEL_DEFAULT_TIMEZONE). One statement per
column counts every week at once (a sum per week over an index range), whatever the list's size.
"""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from koki_site.core.charts import Chart, Series
from koki_site.extensions import db
from koki_site.newsletter.models import Subscription

WEEK_RANGES = (12, 26, 52)
DEFAULT_WEEKS = 26
SERIES = (
    ("confirmed_at", "subscribed", "#009e73"),
    ("unsubscribed_at", "unsubscribed", "#d55e00"),
)


def week_starts(now, weeks):
    """The Mondays (dates, where the staff are) of the last `weeks` weeks, this one last."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def boundaries(mondays):
    """Each week's [start, end) in UTC, as the moments are stored."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    starts = [datetime.combine(day, time.min, zone).astimezone(UTC) for day in mondays]
    return list(zip(starts, [*starts[1:], starts[-1] + timedelta(weeks=1)], strict=True))


def per_week(column, weeks):
    """[count] per week of the moments in column."""
    sums = [func.sum(case((and_(column >= start, column < end), 1), else_=0)) for start, end in weeks]
    row = db.session.execute(select(*sums).where(column >= weeks[0][0], column < weeks[-1][1])).one()
    return [int(value or 0) for value in row]


def chart(weeks=DEFAULT_WEEKS, now=None):
    """The chart of subscriptions and unsubscriptions per week, bars side by side."""
    mondays = week_starts(now or datetime.now(UTC), weeks)
    ranges = boundaries(mondays)
    labels = {"subscribed": _("New subscribers (confirmed)"), "unsubscribed": _("Unsubscriptions")}
    return Chart(
        id="growth-chart",
        title=_("Subscriptions and unsubscriptions per week"),
        description=_("Two bars a week, side by side; the numbers are in the table below the chart."),
        y_label=_("Subscribers"),
        x_label=_("Week starting"),
        days=mondays,
        series=[Series(key, labels[key], colour) for _column, key, colour in SERIES],
        counts={key: per_week(getattr(Subscription, column), ranges) for column, key, _colour in SERIES},
        stacked=False,
    )
