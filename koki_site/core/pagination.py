"""One page of a staff list, whatever the `page` the query string names."""

from flask import request

from koki_site.extensions import db

LAST_PAGE = 100_000  # far beyond any list; a larger number would overflow the database's OFFSET


def paginate(query, per_page):
    """The page of query that ?page= asks for: 1 when missing or malformed, never past LAST_PAGE."""
    number = min(max(request.args.get("page", 1, type=int), 1), LAST_PAGE)
    return db.paginate(query, page=number, per_page=per_page, error_out=False)
