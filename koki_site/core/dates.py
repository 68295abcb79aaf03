"""Dates and times as the page's language writes them, in Paris time (BABEL_DEFAULT_TIMEZONE).

Babel writes the first of the month "1 décembre"; French writes « 1er décembre » (and « 1er déc. »):
every French date with the month in words goes through here, on pages and in mails.
"""

import re
from datetime import date, datetime

from flask_babel import format_date, format_time, get_locale, gettext

# "1" alone before a month in words: not "11", "21", not "01/12/2026".
FIRST_OF_MONTH = re.compile(r"(?<![\d/.-])1(?= [^\d\s])")


def init_app(app):
    app.jinja_env.filters["dateformat"] = format_day
    app.jinja_env.filters["moment"] = format_moment


def ordinal_first(text):
    """« 1 décembre » → « 1er décembre », in French only."""
    if get_locale() is not None and get_locale().language == "fr":
        return FIRST_OF_MONTH.sub("1er", text)
    return text


def parsed(value):
    """A date or moment given as ISO 8601 text (as records are exported), or as it is."""
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


def format_day(value, format="long"):  # the name of Flask-Babel's own filter argument
    """A date (or the day of a moment, in Paris time): "1er décembre 2026", "December 1, 2026"."""
    return ordinal_first(format_date(parsed(value), format))


def format_moment(value):
    """A moment to the minute, in Paris time: "1er décembre 2026 à 02:05", "December 1, 2026 at 2:05 AM"."""
    value = parsed(value)
    return gettext("%(date)s at %(time)s", date=format_day(value, "long"), time=format_time(value, "short"))
