"""Anonymous statistics: counted with consent only, unique visitors through a daily salt."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from koki_site.extensions import db
from koki_site.statistics import counting
from koki_site.statistics.models import ConsentDecisions, DailySalt, DailyVisitor, PageViews
from tests.helpers.consent import decide

pytestmark = pytest.mark.db  # every test here reads or writes the database


def rows(app, model):
    with app.app_context():
        return db.session.scalars(select(model)).all()


def views_by_page(app):
    return {(r.page, r.language): (r.views, r.visitors) for r in rows(app, PageViews)}


def test_views_and_unique_visitors_per_day_page_and_language(app):
    alice, bob = app.test_client(), app.test_client()
    for visitor in (alice, bob):
        decide(visitor, "custom", purposes=("statistics",))
    alice.get("/en/privacy")
    alice.get("/en/privacy")
    bob.get("/en/privacy")
    bob.get("/fr/privacy")
    alice.get("/en/no-such-page")  # a 404 is not a page view
    assert views_by_page(app) == {("/privacy", "en"): (3, 2), ("/privacy", "fr"): (1, 1)}
    (today,) = {r.day for r in rows(app, PageViews)}
    assert today == counting_today(app)


def test_each_sector_page_is_counted_on_its_own_and_the_query_never(app, client):
    decide(client, "custom", purposes=("statistics",))
    client.get("/fr/sectors/healthcare")
    client.get("/fr/sectors/healthcare?utm_source=salon")
    client.get("/en/sectors/food-industry")
    client.get("/en/product")
    assert views_by_page(app) == {
        ("/sectors/healthcare", "fr"): (2, 1),
        ("/sectors/food-industry", "en"): (1, 1),
        ("/product", "en"): (1, 1),
    }


def counting_today(app):
    with app.test_request_context():
        return counting.today()


def test_visitor_ids_are_hashed_with_the_days_salt_and_never_stored(app, client):
    decide(client, "accept_all")
    client.get("/en/")
    visitor_id = client.get_cookie("koki_stats").value
    stored = rows(app, DailyVisitor)
    assert len(stored) == 1 and len(stored[0].visitor_hash) == 64
    assert visitor_id not in stored[0].visitor_hash


def test_a_new_day_forgets_the_salts_and_hashes_of_the_days_before(app, client, monkeypatch):
    decide(client, "accept_all")
    client.get("/en/")
    yesterday_salt = rows(app, DailySalt)[0].salt
    tomorrow = counting_today(app) + timedelta(days=1)
    monkeypatch.setattr(counting, "today", lambda: tomorrow)
    client.get("/en/")
    assert [s.day for s in rows(app, DailySalt)] == [tomorrow]
    assert rows(app, DailySalt)[0].salt != yesterday_salt
    assert {v.day for v in rows(app, DailyVisitor)} == {tomorrow}
    assert len(rows(app, PageViews)) == 2  # the aggregates stay


def test_decisions_are_counted_per_day_by_kind(app):
    for choice, purposes in (
        ("accept_all", ()),
        ("reject_all", ()),
        ("reject_all", ()),
        ("custom", ("requests",)),
    ):
        decide(app.test_client(), choice, purposes)
    counts = {r.kind: r.decisions for r in rows(app, ConsentDecisions)}
    assert counts == {"accepted": 1, "refused": 2, "custom": 1}


def test_stats_show_prints_the_last_days(app, client, runner):
    decide(client, "accept_all")
    client.get("/fr/legal")
    client.get("/fr/legal")
    with app.app_context():
        db.session.add(PageViews(day=date(2020, 1, 1), page="/old", language="en", views=9, visitors=9))
        db.session.commit()
    result = runner.invoke(args=["stats", "show", "--days", "3"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.split() == [counting_today(app).isoformat(), "/legal", "fr", "2", "1"] for line in lines)
    assert any(line.split() == [counting_today(app).isoformat(), "1", "0", "0"] for line in lines)
    assert "/old" not in result.output
