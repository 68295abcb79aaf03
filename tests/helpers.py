"""Small helpers the tests share: reading pages as a visitor sees them."""

import re

from bs4 import BeautifulSoup

LANGS = ("fr", "en")
PAGES = ("/", "/privacy", "/cookies", "/legal")


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def visible_text(response):
    """The page's text, lower-cased, each run of whitespace (no-break spaces too) as one space."""
    return re.sub(r"\s+", " ", soup(response).get_text(" ")).lower()
