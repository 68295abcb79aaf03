"""The staff statistics page: SVG charts drawn on the server, with their numbers in tables."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from babel.dates import format_date as babel_date
from flask_babel import lazy_gettext

from koki_site.core.charts import Chart, Series, day_labels, ticks
from koki_site.extensions import db
from koki_site.statistics import counting
from koki_site.statistics.models import ConsentDecisions, PageViews
from tests.helpers import soup

pytestmark = pytest.mark.db  # every test here reads or writes the database

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def client(app):
    """A browser that asks for English: these tests read the back office's English texts."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def seed(app, views=(), decisions=()):
    """Rows (days back from today, ...) as the counting would have left them; returns today."""
    with app.app_context():
        today = counting.today()
        for back, page, language, number, visitors in views:
            day = today - timedelta(days=back)
            db.session.add(PageViews(day=day, page=page, language=language, views=number, visitors=visitors))
        for back, kind, number in decisions:
            db.session.add(ConsentDecisions(day=today - timedelta(days=back), kind=kind, decisions=number))
        db.session.commit()
        return today


VIEWS = [
    (0, "/", "fr", 5, 3),
    (0, "/privacy", "fr", 2, 2),
    (0, "/", "en", 4, 4),
    (2, "/", "en", 7, 1),
    (10, "/legal", "fr", 1, 1),  # in the last 30 days, not in the last 7
    (40, "/", "fr", 100, 50),  # in none of the default ranges but 90
]
DECISIONS = [(0, "accepted", 3), (0, "refused", 1), (2, "custom", 2), (10, "refused", 4), (95, "accepted", 9)]


def bars(page, chart_id):
    return page.find("svg", id=chart_id).find_all("rect", class_="bar")


def table(page, chart_id):
    """{day: [cell, ...]} of a chart's table, cells as shown."""
    rows = page.find("table", id=f"{chart_id}-numbers").tbody.find_all("tr")
    return {
        date.fromisoformat(row.th.time["datetime"]): [td.get_text(strip=True) for td in row.find_all("td")]
        for row in rows
    }


def test_charts_and_tables_show_the_last_30_days_by_default(app, staff):
    today = seed(app, VIEWS, DECISIONS)
    response = staff("support").get("/staff/stats", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = soup(response)
    for chart_id, series in (
        ("views-chart", {"fr", "en"}),
        ("decisions-chart", {"accepted", "refused", "custom"}),
    ):
        svg = page.find("svg", id=chart_id)
        assert svg["role"] == "img" and svg.title.get_text() and svg.desc.get_text()
        assert svg["aria-labelledby"] == f"{chart_id}-title {chart_id}-desc"
        drawn = [(rect["data-day"], rect["data-series"]) for rect in bars(page, chart_id)]
        assert len(drawn) == len(set(drawn)) == 30 * len(series)  # one bar per day and series
        assert {s for _day, s in drawn} == series
        assert min(d for d, _s in drawn) == (today - timedelta(days=29)).isoformat()
    views = table(page, "views-chart")  # columns: French, English, total, visitors
    assert len(views) == 30
    assert views[today] == ["7", "4", "11", "9"]
    assert views[today - timedelta(days=2)] == ["0", "7", "7", "1"]
    assert views[today - timedelta(days=10)] == ["1", "0", "1", "1"]
    assert views[today - timedelta(days=1)] == ["0", "0", "0", "0"]
    decisions = table(page, "decisions-chart")  # accepted, refused, custom, total
    assert decisions[today] == ["3", "1", "0", "4"]
    assert decisions[today - timedelta(days=2)] == ["0", "0", "2", "2"]
    assert decisions[today - timedelta(days=10)] == ["0", "4", "0", "4"]
    totals = {dd["id"]: dd.contents[0].strip() for dd in page.find("dl").find_all("dd")}
    assert totals == {
        "total-views": "19",
        "total-visitors": "11",
        "total-accepted": "3",
        "total-refused": "5",
        "total-custom": "2",
    }


def test_bar_heights_follow_the_counts(app, staff):
    today = seed(app, VIEWS)
    page = soup(staff("dpo").get("/staff/stats?days=7"))
    heights = {(r["data-day"], r["data-series"]): float(r["height"]) for r in bars(page, "views-chart")}
    assert heights[(today.isoformat(), "fr")] == pytest.approx(
        heights[(today.isoformat(), "en")] * 7 / 4, 0.02
    )
    assert heights[((today - timedelta(days=1)).isoformat(), "fr")] == 0


@pytest.mark.parametrize("days, shown", [("7", 7), ("30", 30), ("90", 90), ("5", 30), ("x", 30)])
def test_days_chooses_the_range(app, staff, days, shown):
    today = seed(app, VIEWS, DECISIONS)
    page = soup(staff("marketing").get(f"/staff/stats?days={days}"))
    assert len(bars(page, "views-chart")) == shown * 2
    assert len(bars(page, "decisions-chart")) == shown * 3
    views = table(page, "views-chart")
    assert min(views) == today - timedelta(days=shown - 1) and max(views) == today
    periods = page.find("nav", attrs={"aria-label": "Period"})
    assert periods.find("a", attrs={"aria-current": "page"})["href"].endswith(f"days={shown}")


def test_the_last_7_days_leave_older_rows_out(app, staff):
    seed(app, VIEWS, DECISIONS)
    page = soup(staff("admin").get("/staff/stats?days=7"))
    assert page.find(id="total-views").contents[0].strip() == "18"
    assert page.find(id="total-refused").contents[0].strip() == "1"


def test_labels_are_escaped(app, staff):
    seed(app, [(0, "/", '<i>"&', 3, 1)])  # a language the site does not have, as a hostile label
    response = staff("support").get("/staff/stats")
    html = response.get_data(as_text=True)
    assert "<i>" not in html and "&lt;i&gt;&#34;&amp;" in html
    page = soup(response)
    assert page.find("svg", id="views-chart").find_all("i") == []
    assert '<i>"&' in page.find("svg", id="views-chart").get_text()
    assert '<i>"&' in [th.get_text() for th in page.find("table", id="views-chart-numbers").thead("th")]


def test_day_labels_follow_the_pages_language(app, staff):
    seed(app, VIEWS)
    client = staff("support")
    french = soup(client.get("/staff/stats?days=90", headers={"Accept-Language": "fr"}))
    english = soup(client.get("/staff/stats?days=90", headers={"Accept-Language": "en"}))
    with app.app_context():
        today = counting.today()
    for page, lang in ((french, "fr"), (english, "en")):
        ticks_shown = [t.get_text() for t in page.find("svg", id="views-chart").find_all("text")]
        assert babel_date(today, "d MMM", locale=lang) in ticks_shown  # "29 nov." / "29 Nov"
    assert babel_date(today, "d MMM", locale="fr") != babel_date(today, "d MMM", locale="en")


def test_staff_only(client):
    response = client.get("/staff/stats")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


# The drawing itself, without the page.


def chart(app, days, counts, title="Views", labels=("fr", "en")):
    series = [Series(key, key, "#0072b2") for key in labels]
    return Chart("c", title, "desc", "Page views", days, series, counts)


def drawn(app, figure, lang="en"):
    with app.test_request_context(headers={"Accept-Language": lang}):
        return ET.fromstring(str(figure.svg()))  # well-formed XML, or this raises


@pytest.mark.parametrize(
    "top, expected",
    [(0, [0, 1]), (1, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (100, [0, 20, 40, 60, 80, 100])],
)
def test_ticks_are_round_and_reach_the_top(top, expected):
    assert ticks(top) == expected


@pytest.mark.parametrize("top", [1, 6, 11, 99, 101, 999, 1001, 123_456])
def test_ticks_never_exceed_six(top):
    scale = ticks(top)
    assert scale[0] == 0 and scale[-1] >= top > scale[-2] and len(scale) <= 6


def test_all_zero_data_draws_flat_bars_on_a_scale(app):
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(7)]
    svg = drawn(app, chart(app, days, {"fr": [0] * 7, "en": [0] * 7}))
    rects = svg.findall(f"{SVG}rect[@class='bar']")
    assert len(rects) == 14 and {r.get("height") for r in rects} == {"0.0"}
    assert "nan" not in ET.tostring(svg, encoding="unicode").lower()


def test_one_day_is_one_bar_not_wider_than_the_cap(app):
    svg = drawn(app, chart(app, [date(2026, 3, 3)], {"fr": [2], "en": [1]}), lang="fr")
    rects = svg.findall(f"{SVG}rect[@class='bar']")
    assert len(rects) == 2 and all(float(r.get("width")) <= 48 for r in rects)
    assert "3 mars" in [t.text for t in svg.iter(f"{SVG}text")]


def test_many_days_label_at_most_eight_the_last_always():
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(90)]
    labelled = day_labels(days)
    assert 89 in labelled and len(labelled) <= 8
    assert day_labels(days[:7]) == set(range(7))


def test_the_chart_names_itself_for_screen_readers_and_escapes_lazy_labels(app):
    with app.test_request_context():
        figure = chart(app, [date(2026, 3, 3)], {"<b>": [1]}, title=lazy_gettext("<b>"), labels=("<b>",))
        markup = str(figure.svg())
    assert "<b>" not in markup
    svg = ET.fromstring(markup)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "c-title c-desc"
    assert svg.find(f"{SVG}title").text == "<b>" and svg.find(f"{SVG}desc").text == "desc"
