"""The staff statistics page: page views by language and consent decisions per day."""

from datetime import timedelta

from babel import Locale, UnknownLocaleError
from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from koki_site.core.auth import role_required
from koki_site.core.charts import PALETTE, Chart, Series
from koki_site.extensions import db
from koki_site.statistics import bp, counting
from koki_site.statistics.models import ConsentDecisions, PageViews

DAY_RANGES = (7, 30, 90)
DEFAULT_DAYS = 30
DECISION_COLOURS = {"accepted": "#009e73", "refused": "#d55e00", "custom": "#0072b2"}


@bp.get("/staff/stats")
@role_required()
def stats():
    """Charts of the page views by language and of the consent decisions of the last days."""
    length = request.args.get("days", type=int)
    if length not in DAY_RANGES:
        length = DEFAULT_DAYS
    last = counting.today()
    days = [last - timedelta(days=back) for back in range(length - 1, -1, -1)]
    views, visitors = page_views(days)
    decisions = consent_decisions(days)
    return render_template(
        "statistics/stats.html",
        days=days,
        length=length,
        day_ranges=DAY_RANGES,
        views=views,
        visitors=visitors,
        decisions=decisions,
    )


def page_views(days):
    """The chart of views per day and language, and the visitors of each day (summed over pages)."""
    rows = db.session.execute(
        select(PageViews.day, PageViews.language, func.sum(PageViews.views), func.sum(PageViews.visitors))
        .where(PageViews.day.between(days[0], days[-1]))
        .group_by(PageViews.day, PageViews.language)
    ).all()
    index = {day: i for i, day in enumerate(days)}
    languages = list(current_app.config["LANGUAGES"])
    languages += sorted({language for _day, language, _v, _u in rows} - set(languages))
    counts = {language: [0] * len(days) for language in languages}
    visitors = [0] * len(days)
    for day, language, views, unique in rows:
        counts[language][index[day]] += int(views)
        visitors[index[day]] += int(unique)
    series = [
        Series(code, language_label(code), PALETTE[i % len(PALETTE)]) for i, code in enumerate(languages)
    ]
    chart = Chart(
        id="views-chart",
        title=_("Page views per day, by language"),
        description=_("Stacked bars, one per day; the numbers are in the table below the chart."),
        y_label=_("Page views"),
        days=days,
        series=series,
        counts=counts,
    )
    return chart, visitors


def consent_decisions(days):
    """The chart of cookie decisions per day: accepted all, refused all, custom choice."""
    rows = db.session.execute(
        select(ConsentDecisions.day, ConsentDecisions.kind, ConsentDecisions.decisions).where(
            ConsentDecisions.day.between(days[0], days[-1])
        )
    ).all()
    index = {day: i for i, day in enumerate(days)}
    labels = {"accepted": _("Accepted all"), "refused": _("Refused all"), "custom": _("Custom choice")}
    counts = {kind: [0] * len(days) for kind in DECISION_COLOURS}
    for day, kind, number in rows:
        if kind in counts:
            counts[kind][index[day]] += number
    return Chart(
        id="decisions-chart",
        title=_("Cookie decisions per day"),
        description=_("Stacked bars, one per day; the numbers are in the table below the chart."),
        y_label=_("Decisions"),
        days=days,
        series=[Series(kind, labels[kind], colour) for kind, colour in DECISION_COLOURS.items()],
        counts=counts,
    )


def language_label(code):
    """A language's name in the page's language ("French", "Français"); an unknown code as it is."""
    try:
        return Locale.parse(code).get_display_name(get_locale()).capitalize()
    except (ValueError, UnknownLocaleError):
        return code
