"""Statistics off the hot path: a view adds to a tally in memory, written in one go, never lost."""

import subprocess
import sys

import pytest
from sqlalchemy import event, select

from koki_site.extensions import db
from koki_site.statistics import counting
from koki_site.statistics.models import PageViews
from tests.conftest import SECRET
from tests.helpers.consent import decide
from tests.helpers.worker import ROOT

pytestmark = pytest.mark.db


def views(app):
    with app.app_context():
        return {(r.page, r.language): (r.views, r.visitors) for r in db.session.scalars(select(PageViews))}


@pytest.fixture
def statements(app):
    """The SQL statements the app runs, as they run."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("app_settings", [{"STATS_FLUSH_SECONDS": 60}])
def test_a_consenting_visitors_page_runs_no_sql_until_the_flush(app, client, statements):
    decide(client, "accept_all")
    client.get("/en/privacy")  # the day's salt is read once per process and day
    statements.clear()
    for _ in range(3):
        assert client.get("/en/privacy").status_code == 200
    assert statements == []  # no query, no commit for a page view
    assert views(app) == {}
    assert counting.flush(app) == 4
    assert views(app) == {("/privacy", "en"): (4, 1)}


@pytest.mark.parametrize("app_settings", [{"STATS_FLUSH_SECONDS": 60}])
def test_a_failed_flush_keeps_the_views_for_the_next_one(app, client):
    decide(client, "accept_all")
    client.get("/fr/")
    client.get("/fr/")

    def database_away(conn, cursor, statement, parameters, context, executemany):
        raise __import__("sqlalchemy").exc.OperationalError(statement, parameters, Exception("restarting"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", database_away)
    try:
        assert counting.flush(app) == 0
    finally:
        event.remove(engine, "before_cursor_execute", database_away)
    assert counting.flush(app) == 2
    assert views(app) == {("/", "fr"): (2, 1)}


GRACEFUL_STOP = """
from koki_site import create_app
app = create_app({"SESSION_COOKIE_SECURE": False})
client = app.test_client()
client.post("/consent", data={"choice": "accept_all", "lang": "en", "next": "/en/"},
            headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})
for _ in range(5):
    client.get("/en/legal")
"""


def test_a_graceful_stop_writes_what_is_left(app):
    env = {
        "PATH": "/usr/bin:/bin",
        "FLASK_SECRET_KEY": SECRET,
        "FLASK_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "FLASK_STATS_FLUSH_SECONDS": "3600",  # no flush but the last one
    }
    done = subprocess.run(
        [sys.executable, "-c", GRACEFUL_STOP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert views(app) == {("/legal", "en"): (5, 1)}
