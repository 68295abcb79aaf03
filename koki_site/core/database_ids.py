"""Database ids in URLs and query strings: only numbers an id column can hold.

The tables' ids are INTEGER columns, which PostgreSQL stops at 2**31 - 1: a larger number sent to
the database fails the query (a 500) where it should find nothing (a 404). Routes take
`<id:name>`, which matches 1 to MAX_ID only; query arguments go through `database_id`.
"""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<id:name>`: a positive integer an id column can hold; any other number is a 404."""

    def __init__(self, map):
        super().__init__(map, min=1, max=MAX_ID)


def init_app(app):
    app.url_map.converters["id"] = DatabaseIdConverter


def database_id(text):
    """The id text names (for `request.args.get(..., type=database_id)`); ValueError otherwise."""
    value = int(text)
    if not 1 <= value <= MAX_ID:
        raise ValueError(f"{value} is not an id a table can hold")
    return value
