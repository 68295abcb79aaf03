"""How the site writes dates, moments, telephones, languages and sizes: one module, its filters
registered once (init_app), in the page's language and Paris time (BABEL_DEFAULT_TIMEZONE).

Pages and mails write dates in full: "1er décembre 2026", "1er décembre 2026 à 02:05" (`dateformat`,
`moment`); the back office shortly: "1er déc. 2026, 14:05", "Dec 1, 2026, 2:05 PM" (`when`, `day`).
Babel writes the first of the month "1 décembre"; French writes « 1er »: every French date with
the month in words goes through first_of_month. Telephones are stored in E.164 and shown as people
write them: national for a French number ("06 12 34 56 78"), international otherwise.
"""

import re
from datetime import UTC, date, datetime

from babel import Locale, UnknownLocaleError
from babel.dates import format_timedelta, get_datetime_format
from babel.units import format_unit
from flask_babel import format_date, format_time, get_locale, gettext

from koki_site.core import phones

FIRST_OF_MONTH = re.compile(r"(?<![\d/.-])1(?= [^\d\s])")  # "1 déc.", not "11 déc." nor "01/12"


def first_of_month(text):
    """« 1 décembre » → « 1er décembre », « 1 déc. » → « 1er déc. », in French only."""
    locale = get_locale()
    return FIRST_OF_MONTH.sub("1er", text) if locale and locale.language == "fr" else text


def parsed(value):
    """A date or moment given as ISO 8601 text (as records are exported), or as it is."""
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


def format_day(value, format="long"):  # the name of Flask-Babel's own filter argument
    """A date (or the day of a moment, in Paris time): "1er décembre 2026", "December 1, 2026"."""
    return first_of_month(format_date(parsed(value), format))


def format_moment(value):
    """A moment to the minute, in Paris time: "1er décembre 2026 à 02:05", "December 1, 2026 at 2:05 AM"."""
    value = parsed(value)
    return gettext("%(date)s at %(time)s", date=format_day(value, "long"), time=format_time(value, "short"))


def day(value):
    """A date, or the day of a moment where the staff are: "1er déc. 2026", "Dec 1, 2026"."""
    return first_of_month(format_date(value, "medium")) if value else ""


def moment(value):
    """A moment to the minute where the staff are: "1er déc. 2026, 14:05", "Dec 1, 2026, 2:05 PM"."""
    if not value:
        return ""
    pattern = get_datetime_format("medium", locale=get_locale())
    return pattern.format(format_time(value, "short"), day(value))


def language(code, in_sentence=False):
    """A language's name in the reader's language: "French", "Français" ("français" in a sentence)."""
    try:
        name = Locale.parse(code).get_display_name(get_locale())
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name if in_sentence else name[:1].upper() + name[1:]


def file_size(size):
    """A number of bytes as people read it: "800 B", "12 kB", "3.4 MB" ("12 ko" in French)."""
    for unit, scale in (("megabyte", 1e6), ("kilobyte", 1e3)):
        if size >= scale:
            value = round(size / scale, 1) if size < 10 * scale else round(size / scale)
            return format_unit(value, f"digital-{unit}", length="short", locale=get_locale())
    return format_unit(size, "digital-byte", length="short", locale=get_locale())


def age(moment):
    """How long ago, shortly: "il y a 2 h", "3 days ago" (the inbox's triage)."""
    moment = parsed(moment)
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # stored in UTC
    delta = moment - datetime.now(UTC)
    return format_timedelta(delta, add_direction=True, format="short", locale=get_locale())


# The template filters, as the staff blueprint registers them.
def isotime(moment):
    """A stored time as ISO 8601 with its offset, for <time datetime>; to the second, as HTML
    allows at most three digits of a fraction."""
    return moment.isoformat(timespec="seconds")


FILTERS = {
    "dateformat": format_day,
    "moment": format_moment,
    "when": moment,
    "age": age,
    "day": day,
    "isotime": isotime,
    "phone": phones.display,
    "tel_uri": phones.tel_uri,
    "language_name": language,
    "file_size": file_size,
}


def init_app(app):
    app.jinja_env.filters.update(FILTERS)
