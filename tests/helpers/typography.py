"""French typography, as the tests check it: the spaces that French puts before some punctuation.

A narrow no-break space (U+202F) before ; ? ! and a no-break space (U+00A0) before : and inside
« », so that a sign never starts a line of its own. Only text is checked: HTML tags, URLs and
addresses (https://…, mailto:…, name@example.org) and times (12:30) are left alone.
"""

import re

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
