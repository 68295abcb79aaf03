"""The Flask extensions, created unbound here and initialised by create_app."""

from datetime import UTC

from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    """Declarative base of every model (SQLAlchemy 2.0 style)."""


# expire_on_commit=False: after a commit, what the answer needs (a reference, an id) is read from
# memory, never reloaded: a database hiccup right after a commit cannot turn a success into a 500.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# Flask-Limiter's limiter is koki_site/core/rate_limits.py's: built on the site's client key.


class UTCDateTime(TypeDecorator):
    """A moment in UTC, given back timezone-aware by every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
