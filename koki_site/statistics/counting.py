"""Counting a page view, for visitors who consented to statistics (and only them).

A visitor is the random id of the signed koki_stats cookie, hashed with a salt drawn for the
day. When a new day starts, the previous salts and hashes are deleted: what is left are counts
per day, page and language, from which nobody can be singled out.

Off the hot path: a view only adds to this process's tally in memory (no SQL, no commit); a
flusher thread writes the tally every STATS_FLUSH_SECONDS, in one transaction of two statements
(the visitor hashes, then the counts), and once more when the process stops gracefully. A failed
flush keeps the tally for the next one. STATS_FLUSH_SECONDS = 0 writes at the end of each
request (tests).
"""

import atexit
import hashlib
import re
import secrets
import threading
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app, g, request
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from koki_site.core import consent_cookie, cookies
from koki_site.extensions import db
from koki_site.statistics.models import ConsentDecisions, DailySalt, DailyVisitor, PageViews

LANG_PREFIX = "/<lang:lang_code>"
# An argument drawn from a closed list (werkzeug's `any` converter: a sector) is counted by its
# value, one page each; any other argument (a token) stays as the rule writes it.
CLOSED_ARGUMENT = re.compile(r"<any\([^)]*\):(\w+)>")
CHUNK = 500  # rows per INSERT: a flush after a busy minute stays a few statements
EXTENSION = "koki_stats_tally"


def today():
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def counted_page():
    """The page's URL rule without its language ("/privacy", "/sectors/healthcare"): never a token
    or a query."""
    rule = request.url_rule
    if request.method != "GET" or rule is None or not rule.rule.startswith(LANG_PREFIX):
        return None
    page = CLOSED_ARGUMENT.sub(lambda found: request.view_args[found.group(1)], rule.rule)
    return page.removeprefix(LANG_PREFIX) or "/"


def count_page_view(response):
    page = counted_page()
    # A 304 is a view too: the browser shows the page it kept (koki_site/pages/cache.py).
    if page is None or response.status_code not in (200, 304) or not consent_cookie.allows("statistics"):
        return response
    visitor_id = consent_cookie.load_signed(cookies.STATISTICS)  # None when absent or forged
    if not isinstance(visitor_id, str) or len(visitor_id) > 64:
        visitor_id = secrets.token_urlsafe(16)
        consent_cookie.save_signed(response, cookies.STATISTICS, visitor_id)
    try:
        count(page, g.lang_code, visitor_id)
    except SQLAlchemyError:  # drawing the day's salt failed: statistics never cost a page
        db.session.rollback()
        current_app.logger.exception("page view not counted")
    return response


def count(page, language, visitor_id):
    """Add one view to the tally (and write it at once when STATS_FLUSH_SECONDS is 0)."""
    day = today()
    visitor_hash = hashlib.sha256(f"{salt_of(day)}:{visitor_id}".encode()).hexdigest()
    app = current_app._get_current_object()
    tally_of(app).add((day, page, language), visitor_hash)
    if not app.config["STATS_FLUSH_SECONDS"]:
        flush(app)


class Tally:
    """Views and hashed visitors per (day, page, language), waiting to be written."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.views, self.visitors = Counter(), defaultdict(set)
        self.flusher = None

    def add(self, key, visitor_hash):
        with self.lock:
            self.views[key] += 1
            self.visitors[key].add(visitor_hash)
            if self.flusher is None and self.app.config["STATS_FLUSH_SECONDS"]:
                self.flusher = threading.Thread(target=self.flush_every, name="koki-stats-flush", daemon=True)
                self.flusher.start()
                atexit.register(flush, self.app)  # a graceful stop writes what is left

    def take(self):
        with self.lock:
            taken = self.views, self.visitors
            self.views, self.visitors = Counter(), defaultdict(set)
            return taken

    def give_back(self, views, visitors):
        with self.lock:
            self.views.update(views)
            for key, hashes in visitors.items():
                self.visitors[key] |= hashes

    def flush_every(self):
        while True:
            threading.Event().wait(self.app.config["STATS_FLUSH_SECONDS"])
            flush(self.app)


def tally_of(app):
    tally = app.extensions.get(EXTENSION)
    if tally is None:
        tally = app.extensions.setdefault(EXTENSION, Tally(app))
    return tally


def flush(app):
    """Write the process's tally: the new visitors, then the counts; how many views were written."""
    tally = tally_of(app)
    views, visitors = tally.take()
    if not views:
        return 0
    with app.app_context():
        try:
            write(views, visitors)
            db.session.commit()
        except SQLAlchemyError:
            db.session.rollback()
            tally.give_back(views, visitors)  # nothing lost: the next flush tries again
            app.logger.exception("page views not written yet")
            return 0
        finally:
            db.session.remove()
    return sum(views.values())


def write(views, visitors):
    rows = [
        {"day": day, "page": page, "language": language, "visitor_hash": visitor_hash}
        for (day, page, language), hashes in visitors.items()
        for visitor_hash in hashes
    ]
    new = Counter()
    for start in range(0, len(rows), CHUNK):
        # RETURNING, not rowcount: drivers differ on what rowcount says of ignored rows.
        inserted = db.session.execute(
            dialect_insert(DailyVisitor)
            .values(rows[start : start + CHUNK])
            .on_conflict_do_nothing()
            .returning(DailyVisitor.day, DailyVisitor.page, DailyVisitor.language)
        )
        new.update(tuple(row) for row in inserted)
    counts = [
        {"day": key[0], "page": key[1], "language": key[2], "views": number, "visitors": new[key]}
        for key, number in views.items()
    ]
    upsert = dialect_insert(PageViews).values(counts)
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=["day", "page", "language"],
            set_={
                "views": PageViews.views + upsert.excluded.views,
                "visitors": PageViews.visitors + upsert.excluded.visitors,
            },
        )
    )


def count_decision(kind):
    """One more consent decision of kind (accepted, refused, custom) today."""
    upsert = dialect_insert(ConsentDecisions).values(day=today(), kind=kind, decisions=1)
    upsert = upsert.on_conflict_do_update(
        index_elements=["day", "kind"], set_={"decisions": ConsentDecisions.decisions + 1}
    )
    db.session.execute(upsert)
    db.session.commit()


def dialect_insert(model=PageViews):
    """INSERT … ON CONFLICT in the database's own dialect (imported when first used)."""
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    return insert(model)


def salt_of(day):
    """The day's salt, read once a day per process; the first view of a day draws it."""
    cached = current_app.extensions.get("koki_stats_salt")
    if cached and cached[0] == day:
        return cached[1]
    salt = db.session.scalar(select(DailySalt.salt).where(DailySalt.day == day))
    if salt is None:
        forget_before(day)
        try:
            db.session.add(DailySalt(day=day, salt=secrets.token_hex(32)))
            db.session.commit()
        except IntegrityError:  # another worker drew it first
            db.session.rollback()
        salt = db.session.scalar(select(DailySalt.salt).where(DailySalt.day == day))
    current_app.extensions["koki_stats_salt"] = (day, salt)
    return salt


def forget_before(day):
    """Delete the salts and visitor hashes of earlier days."""
    db.session.execute(delete(DailyVisitor).where(DailyVisitor.day < day))
    db.session.execute(delete(DailySalt).where(DailySalt.day < day))


def on_decision(sender, decision, **extra):
    """Listens to consent_cookie.decision_made: a decision counted, never a visitor's page refused."""
    try:
        count_decision(decision.kind)
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("consent decision not counted")
