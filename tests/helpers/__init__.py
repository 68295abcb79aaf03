"""Small helpers the tests share: reading pages as a visitor sees them."""

import re

from bs4 import BeautifulSoup
from sqlalchemy import String, Text, select

from koki_site.extensions import db

LANGS = ("fr", "en")
SHOWCASE_PAGES = (
    "/",
    "/product",
    "/sectors/healthcare",
    "/sectors/food-industry",
    "/sectors/cleaning-companies",
    "/sectors/hospitality",
    "/sectors/public-buildings",
    "/about",
)
PAGES = (*SHOWCASE_PAGES, "/privacy", "/cookies", "/legal")
# The forms a visitor fills in, and the pages they lead to.
FORM_PAGES = (
    "/contact",
    "/contact?topic=demo",
    "/newsletter",
    "/rights",
    "/my-requests",
    "/newsletter/check-your-mail",
    "/rights/sent",
)


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def visible_text(response):
    """The page's text, lower-cased, each run of whitespace (no-break spaces too) as one space."""
    return re.sub(r"\s+", " ", soup(response).get_text(" ")).lower()


def every_string_cell(app):
    """(table, value) of every text value of every table of the database."""
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, (String, Text))]
            for row in db.session.execute(select(*columns)) if columns else []:
                for value in row:
                    yield table.name, value


def tables_holding(app, needle):
    """The tables where some text value contains needle, whatever its case."""
    return {table for table, value in every_string_cell(app) if value and needle.lower() in value.lower()}
