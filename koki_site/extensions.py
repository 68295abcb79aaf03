"""The Flask extensions, created unbound here and initialised by create_app."""

from datetime import UTC

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
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
# Per client address; behind a reverse proxy, wrap the app in ProxyFix so that this is the visitor's.
limiter = Limiter(key_func=get_remote_address)


@limiter.request_filter
def reading_is_never_limited():
    """Limits guard the POSTs (forms, login); a GET skips the limiter's work entirely."""
    return request.method in ("GET", "HEAD", "OPTIONS")


class UTCDateTime(TypeDecorator):
    """A moment in UTC, given back timezone-aware by every database (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
