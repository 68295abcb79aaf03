"""The HTML part of a visitor's mail, drawn from its text part at delivery.

The text stays the mail: the HTML says the same words with the same links, in the site's colours,
so that a confirmation looks like the company rather than like phishing. It loads nothing (no
image, font or stylesheet from elsewhere, no tracking pixel) and keeps to what mail clients
render: a centred column of at most 600 px, inline styles, a dark scheme for clients that ask.
"""

import re

from flask import current_app
from markupsafe import Markup, escape

# An address in running text ends before a space or a bracket, and before the full stop or comma
# that follows it in a sentence.
LINK = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:!?]")
SIGNATURE = "-- "  # the line that opens a signature (RFC 3676)


def render(text, lang, subject):
    """The HTML of a mail whose text is `text`: its paragraphs, then the signature in the footer."""
    body, _, signature = text.replace("\r\n", "\n").partition(f"\n{SIGNATURE}\n")
    return current_app.jinja_env.get_template("email/layout.html").render(
        lang=lang,
        subject=subject,
        company=current_app.config["COMPANY_NAME"],
        paragraphs=paragraphs(body),
        signature=paragraphs(signature),
    )


def paragraphs(text):
    """Blocks of text between blank lines, each as HTML: escaped, lines kept, addresses as links."""
    blocks = re.split(r"\n\s*\n", text.strip("\n"))
    return [
        Markup("<br>\n").join(linked(line) for line in block.split("\n")) for block in blocks if block.strip()
    ]


def linked(line):
    """A line of text, escaped, with each web address made a link to itself."""
    parts, end = [], 0
    for found in LINK.finditer(line):
        address = found.group()
        parts += [escape(line[end : found.start()]), Markup('<a href="{0}">{0}</a>').format(address)]
        end = found.end()
    parts.append(escape(line[end:]))
    return Markup("").join(parts)
