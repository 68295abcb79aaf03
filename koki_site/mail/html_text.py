"""An HTML mail as plain text (the standard library's html.parser): what a person would read.

Nothing of the HTML is kept or ever rendered: scripts, styles and the head are dropped, blocks
become lines, list items get a dash, a link keeps its address in brackets when its text differs.
The standard library is enough for this and adds no dependency; html2text, the best known
library, is GPL-3.0, which this project's licence choices avoid.
"""

import re
from html.parser import HTMLParser

SKIPPED = {"script", "style", "head", "title", "template", "noscript"}
BLOCKS = {
    "address", "article", "aside", "blockquote", "div", "dl", "dt", "dd", "fieldset", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
    "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class TextMaker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping, self.links, self.pre = [], 0, [], 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS:
            self.parts.append("\n\n" if tag in ("p", "table", "blockquote") else "\n")
            if tag == "pre":
                self.pre += 1
            elif tag == "li":
                self.parts.append("- ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag):
        if tag in SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCKS and tag != "li":  # the next item starts its own line
            self.parts.append("\n")
            if tag == "pre":
                self.pre = max(0, self.pre - 1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            shown = "".join(self.parts[start:]).strip()
            if href.startswith(("http:", "https:", "mailto:")) and href.removeprefix("mailto:") != shown:
                self.parts.append(f" ({href})")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data if self.pre else SPACES.sub(" ", data.replace("\n", " ")))


def to_text(html):
    """The text of an HTML document, lines trimmed, at most one empty line in a row."""
    maker = TextMaker()
    maker.feed(html)
    maker.close()
    lines = [line.strip() for line in "".join(maker.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
