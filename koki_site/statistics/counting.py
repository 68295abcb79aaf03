"""Counting a page view, for visitors who consented to statistics (and only them).

A visitor is the random id of the koki_stats cookie, hashed with a salt drawn for the day. When
a new day starts, the previous salts and hashes are deleted: what is left are counts per day,
page and language, from which nobody can be singled out.
"""

import hashlib
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from koki_site import consent_cookie, cookies
from koki_site.extensions import db
from koki_site.statistics.models import ConsentDecisions, DailySalt, DailyVisitor, PageViews

LANG_PREFIX = "/<lang:lang_code>"


def today():
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def counted_page():
    """The page's URL rule without its language ("/privacy"): never a token or a query."""
    rule = request.url_rule
    if request.method != "GET" or rule is None or not rule.rule.startswith(LANG_PREFIX):
        return None
    return rule.rule.removeprefix(LANG_PREFIX) or "/"


def count_page_view(response):
    page = counted_page()
    if page is None or response.status_code != 200 or not consent_cookie.allows("statistics"):
        return response
    visitor_id = consent_cookie.load_signed(cookies.STATISTICS)  # None when absent or forged
    if not isinstance(visitor_id, str) or len(visitor_id) > 64:
        visitor_id = secrets.token_urlsafe(16)
        consent_cookie.save_signed(response, cookies.STATISTICS, visitor_id)
    try:
        record_view(today(), page, g.lang_code, visitor_id)
    except SQLAlchemyError:
        db.session.rollback()  # statistics never cost a visitor their page
        current_app.logger.exception("page view not counted")
    return response


def record_view(day, page, language, visitor_id):
    visitor_hash = hashlib.sha256(f"{salt_of(day)}:{visitor_id}".encode()).hexdigest()
    new_visitor = insert_ignoring_duplicates(
        DailyVisitor, day=day, page=page, language=language, visitor_hash=visitor_hash
    )
    upsert = dialect_insert().values(
        day=day, page=page, language=language, views=1, visitors=int(new_visitor)
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=["day", "page", "language"],
        set_={"views": PageViews.views + 1, "visitors": PageViews.visitors + int(new_visitor)},
    )
    db.session.execute(upsert)
    db.session.commit()


def count_decision(kind):
    """One more consent decision of kind (accepted, refused, custom) today."""
    upsert = dialect_insert(ConsentDecisions).values(day=today(), kind=kind, decisions=1)
    upsert = upsert.on_conflict_do_update(
        index_elements=["day", "kind"], set_={"decisions": ConsentDecisions.decisions + 1}
    )
    db.session.execute(upsert)
    db.session.commit()


def dialect_insert(model=PageViews):
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return insert(model)


def insert_ignoring_duplicates(model, **values):
    """Insert a row unless it exists; True when it was new."""
    statement = dialect_insert(model).values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: drivers differ on what rowcount says of an ignored insert.
    return db.session.execute(statement.returning(*model.__table__.primary_key)).first() is not None


def salt_of(day):
    """The day's salt; the first view of a day draws it and forgets the days before."""
    salt = db.session.scalar(select(DailySalt.salt).where(DailySalt.day == day))
    if salt is not None:
        return salt
    forget_before(day)
    try:
        db.session.add(DailySalt(day=day, salt=secrets.token_hex(32)))
        db.session.commit()
    except IntegrityError:  # another worker drew it first
        db.session.rollback()
    return db.session.scalar(select(DailySalt.salt).where(DailySalt.day == day))


def forget_before(day):
    """Delete the salts and visitor hashes of earlier days."""
    db.session.execute(delete(DailyVisitor).where(DailyVisitor.day < day))
    db.session.execute(delete(DailySalt).where(DailySalt.day < day))
