"""How the back office writes moments, days, telephones and languages: one way, the staff's language.

Moments are Paris time (BABEL_DEFAULT_TIMEZONE), to the minute: "1er déc. 2026, 14:05",
"Dec 1, 2026, 2:05 PM"; days the same without the time. French writes the first of the month
"1er". Telephones are stored in E.164 and shown as people write them: national for a French
number ("06 12 34 56 78"), international otherwise ("+44 20 7946 0958").
"""

import re

from babel import Locale, UnknownLocaleError
from babel.dates import get_datetime_format
from babel.units import format_unit
from flask_babel import format_date, format_time, get_locale

from koki_site.core import phones

FIRST_OF_MONTH = re.compile(r"(?<![\d/.-])1(?= [^\d\s])")  # "1 déc.", not "11 déc." nor "01/12"


def first_of_month(text):
    """« 1 déc. » → « 1er déc. », in French only."""
    locale = get_locale()
    return FIRST_OF_MONTH.sub("1er", text) if locale and locale.language == "fr" else text


def day(value):
    """A date, or the day of a moment where the staff are: "1er déc. 2026", "Dec 1, 2026"."""
    return first_of_month(format_date(value, "medium")) if value else ""


def moment(value):
    """A moment to the minute where the staff are: "1er déc. 2026, 14:05", "Dec 1, 2026, 2:05 PM"."""
    if not value:
        return ""
    pattern = get_datetime_format("medium", locale=get_locale())
    return pattern.format(format_time(value, "short"), day(value))


def phone(stored):
    """A stored number as a reader expects it (koki_site/core/phones.py, as visitors see it too)."""
    return phones.display(stored)


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


# The template filters, as the staff blueprint registers them.
FILTERS = {
    "when": moment,
    "day": day,
    "phone_number": phone,
    "language_name": language,
    "file_size": file_size,
}
