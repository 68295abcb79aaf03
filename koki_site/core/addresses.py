"""Email addresses compare without regard to case: one person, one address, however it was typed.

`normalise` is the form stored where an address must be unique (the newsletter); `same` is the SQL
test every lookup by address uses (contact, newsletter, rights, the outbox). SQLite's own lower()
folds ASCII letters only ('ÉMILE' gives 'Émile'), so init_app gives each SQLite connection Python's
instead: SQL and Python then fold every letter alike. PostgreSQL's lower() follows the database's
LC_CTYPE, which a UTF-8 locale (C.UTF-8, fr_FR.UTF-8…) makes fold every letter too.
"""

import sqlite3

from sqlalchemy import event, func

from koki_site.extensions import db


def normalise(address):
    """The address as stored where it must be unique: lower-cased."""
    return address.lower()


def same(column, address):
    """SQL: column holds this address, whatever the case of either."""
    return func.lower(column) == normalise(address)


def init_app(app):
    with app.app_context():
        event.listen(db.engine, "connect", unicode_lower)


def unicode_lower(dbapi_connection, connection_record):
    """On SQLite, lower() folds every letter as Python does, not ASCII only."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("lower", 1, lower_text, deterministic=True)


def lower_text(value):
    return value.lower() if isinstance(value, str) else value
