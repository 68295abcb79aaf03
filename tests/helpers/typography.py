"""French typography, as the tests check it: the spaces that French puts before some punctuation.

A narrow no-break space (U+202F) before ; ? ! and a no-break space (U+00A0) before : and inside
« », so that a sign never starts a line of its own. Only text is checked: HTML tags, URLs and
addresses (https://…, mailto:…, name@example.org) and times (12:30) are left alone.
"""

import re

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

NNBSP, NBSP = "\u202f", "\u00a0"
TAG = re.compile(r"<[^>]*>")
# What is not prose: a URL, an address, a file name, a time, a placeholder.
NOT_PROSE = re.compile(r"\b(?:https?|mailto|tel):\S*|\S+@\S+|\bwww\.\S+|\d{1,2}:\d{2}|%\([a-z_]+\)[sd]")
RULES = (
    (re.compile(r"(?<!\u202f)[;?!]"), "no narrow no-break space before ; ? !"),
    (re.compile(r"(?<!\u00a0):"), "no no-break space before :"),
    (re.compile(r"«(?!\u00a0)"), "no no-break space after «"),
    (re.compile(r"(?<!\u00a0)»"), "no no-break space before »"),
)


def prose(text):
    """The text a reader reads as sentences: tags and things that are not prose blanked out."""
    return NOT_PROSE.sub("x", TAG.sub(" ", text))  # a word stands in, so the spaces around it count


def problems(text):
    """[(rule, excerpt)] of every place where text breaks the French spacing rules."""
    checked = prose(text)
    return [
        (rule, checked[max(0, match.start() - 30) : match.end() + 5])
        for pattern, rule in RULES
        for match in pattern.finditer(checked)
        if match.start() > 0  # a sign that opens the text has nothing to be kept with
    ]


def fixed(text):
    """text with the French spaces put in (tags, URLs and times left alone)."""

    def fix_prose(part):
        part = re.sub(r"(?<=\S)[ \u00a0\u202f]?([;?!])", NNBSP + r"\1", part)
        part = re.sub(r"(?<=\S)[ \u00a0\u202f]?:(?=\s|$)", NBSP + ":", part)
        part = re.sub(r"«[ \u00a0\u202f]?", "«" + NBSP, part)
        return re.sub(r"[ \u00a0\u202f]?»", NBSP + "»", part)

    pieces = re.split(r"(<[^>]*>|" + NOT_PROSE.pattern + ")", text)
    return "".join(piece if i % 2 else fix_prose(piece) for i, piece in enumerate(pieces))


# The back office's own files: its French is issue 13's. A message used anywhere else is checked.
STAFF_SOURCES = (
    "templates/staff/",
    "templates/statistics/",
    "templates/contact/inbox.html",
    "templates/contact/message.html",
    "templates/newsletter/marketing.html",
    "templates/rights/desk",
    "templates/rights/register.html",
    "templates/email/contact_notification.txt",
    "templates/_pagination.html",
    "koki_site/staff/",
    "koki_site/statistics/",
    "koki_site/contact/inbox.py",
    "koki_site/newsletter/marketing.py",
    "koki_site/rights/desk.py",
    "koki_site/rights/processing_record.py",
)
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_pgettext": ((1, "c"), 2)}


def visitor_messages(root):
    """{(context, msgid)} of every message that some page or mail a visitor meets uses."""
    with open(root / "babel.cfg") as config:
        method_map, options_map = parse_mapping_cfg(config)
    used = {}
    for filename, _, message, _, context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message if isinstance(message, str) else message[0]
        used.setdefault((context, msgid), set()).add(filename)
    return {key for key, files in used.items() if any(not f.startswith(STAFF_SOURCES) for f in files)}
