"""The staff home page, the audit log and the retention report, and who may see them."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from koki_site.core.audit import AuditEntry
from koki_site.core.periods import Period
from koki_site.extensions import db
from tests.helpers import soup, visible_text
from tests.helpers.staff import log_out

pytestmark = pytest.mark.db

EN = {"Accept-Language": "en"}
ROLE_PAGES = {"admin": "/staff/accounts", "dpo": "/staff/audit", "support": "/staff/messages"}


@pytest.fixture
def client(app):
    """A browser that asks for English: these tests read the back office's English texts."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def add_entries(app, *entries):
    """Audit entries given as (action, actor, at) tuples."""
    with app.app_context():
        for action, actor, at in entries:
            db.session.add(AuditEntry(at=at, actor=actor, action=action))
        db.session.commit()


def audit_rows(response):
    """(who, action) of each row of the audit table, top to bottom."""
    rows = soup(response).find("table").tbody.find_all("tr")
    rows = [row.find_all("td") for row in rows]
    return [tuple(cell.get_text(strip=True) for cell in cells[1:3]) for cells in rows if len(cells) > 1]


@pytest.mark.parametrize("role", ["support", "marketing", "dpo", "admin"])
def test_the_home_page_links_to_the_pages_of_ones_roles(staff, role):
    client = staff(role)
    page = soup(client.get("/staff/", headers=EN))
    links = {a["href"] for a in page.select("main .staff-cards a")}
    assert "/staff/stats" in links  # any role
    for other, path in ROLE_PAGES.items():
        assert (path in links) == (other == role)
    for path in links:  # nothing leads to a 403 or to a page that does not exist yet
        assert client.get(path).status_code == 200, path
    nav = {a["href"] for a in page.find("nav", class_="staff-nav").find_all("a")}
    assert nav == links | {"/staff/"}


def test_the_menu_marks_the_current_page(staff):
    page = soup(staff("dpo").get("/staff/audit"))
    assert page.find("a", attrs={"aria-current": "page"})["href"] == "/staff/audit"


@pytest.mark.parametrize("path", ["/staff/accounts", "/staff/audit", "/staff/retention"])
@pytest.mark.parametrize("role", ["support", "marketing", "dpo", "admin"])
def test_a_page_outside_ones_roles_is_a_403(staff, path, role):
    allowed = {"/staff/accounts": "admin", "/staff/audit": "dpo", "/staff/retention": "dpo"}[path]
    response = staff(role).get(path)
    assert response.status_code == (200 if role == allowed else 403)


@pytest.mark.parametrize("path", ["/staff/", "/staff/accounts", "/staff/audit", "/staff/retention"])
def test_a_visitor_is_sent_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login?next=")


def test_the_audit_log_shows_logins_logouts_and_account_changes_newest_first(app, staff):
    admin = staff("admin")
    log_out(admin)
    dpo = staff("dpo")
    response = dpo.get("/staff/audit", headers=EN)
    assert audit_rows(response) == [
        ("dpo@koki.test", "Logged in"),
        ("admin@koki.test", "Logged out"),
        ("admin@koki.test", "Logged in"),
    ]
    rows = soup(response).find("table").tbody.find_all("tr")
    # To the second: HTML's datetime takes at most three digits of a fraction (Nu Html Checker).
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", rows[0].find("td").time["datetime"])
    # The account by its address, not "staff:3".
    assert rows[0].select_one("td.target").get_text(" ", strip=True) == "Staff account dpo@koki.test"


def test_the_audit_log_filters_by_action_actor_and_days(app, staff):
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    add_entries(
        app,
        ("login", "grace@koki.test", day - timedelta(days=2)),
        ("login_failed", "unknown", day - timedelta(days=1)),
        ("account_change", "cli", day),
        ("logout", "grace@koki.test", day + timedelta(days=1)),
    )
    dpo = staff("dpo")
    page = soup(dpo.get("/staff/audit", headers=EN))
    options = [
        (option["value"], option.get_text())
        for option in page.find("select", attrs={"name": "action"}).find_all("option")
    ]
    assert options == [  # in words, in alphabetical order of the words
        ("", "All actions"),
        ("login_failed", "Failed login"),
        ("login", "Logged in"),
        ("logout", "Logged out"),
        ("account_change", "Staff account changed"),
    ]
    assert audit_rows(dpo.get("/staff/audit?action=login_failed")) == [("Unknown address", "Failed login")]
    assert audit_rows(dpo.get("/staff/audit?actor=GRACE")) == [
        ("grace@koki.test", "Logged out"),
        ("grace@koki.test", "Logged in"),
    ]
    assert audit_rows(dpo.get("/staff/audit?actor=%25")) == []  # a LIKE wildcard is a plain character
    assert audit_rows(dpo.get("/staff/audit?since=2026-03-09&until=2026-03-10")) == [
        ("Command line", "Staff account changed"),
        ("Unknown address", "Failed login"),
    ]
    assert audit_rows(dpo.get("/staff/audit?action=login&actor=grace&until=2026-03-08")) == [
        ("grace@koki.test", "Logged in")
    ]


def test_a_malformed_date_is_shown_as_an_error_and_not_applied(staff):
    response = staff("dpo").get("/staff/audit?since=yesterday", headers=EN)
    assert response.status_code == 200
    page = soup(response)
    assert page.find(id="since-error").get_text(strip=True)
    assert page.find("input", attrs={"name": "since"})["aria-describedby"] == "since-error"
    assert audit_rows(response) == [("dpo@koki.test", "Logged in")]


def test_the_audit_log_has_50_entries_a_page_and_keeps_the_filters(app, staff):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    add_entries(app, *(("purge", "cli", start + timedelta(minutes=n)) for n in range(120)))
    dpo = staff("dpo")
    first = dpo.get("/staff/audit?action=purge", headers=EN)
    assert len(audit_rows(first)) == 50
    assert "entries: 120" in visible_text(first) and "page 1 of 3" in visible_text(first)
    older = soup(first).find("a", rel="next")["href"]
    assert "action=purge" in older and "page=2" in older
    assert len(audit_rows(dpo.get(older))) == 50
    last = dpo.get("/staff/audit?action=purge&page=3", headers=EN)
    assert len(audit_rows(last)) == 20 and not soup(last).find("a", rel="next")
    assert soup(last).find("a", rel="prev")
    beyond = dpo.get("/staff/audit?action=purge&page=9", headers=EN)
    assert audit_rows(beyond) == [] and "no entry matches these filters." in visible_text(beyond)


def test_the_retention_page_counts_what_the_next_30_days_will_purge(app, staff):
    now = datetime.now(UTC)
    with app.app_context():
        cutoff = Period.from_config("AUDIT_RETENTION_MONTHS", "month").before(now)
    add_entries(
        app,
        ("login", "a@koki.test", cutoff + timedelta(days=3)),  # due in 3 days
        ("login", "a@koki.test", cutoff + timedelta(days=29)),  # due in 29 days
        ("login", "a@koki.test", cutoff + timedelta(days=40)),  # later
        ("login", "a@koki.test", cutoff - timedelta(days=1)),  # already past: today's purge
    )
    response = staff("dpo").get("/staff/retention", headers=EN)
    due = soup(response).find("table", class_="due")
    counts = {row.th.get_text(strip=True): row.td.get_text(strip=True) for row in due.tbody.find_all("tr")}
    assert counts["Audit log entries"] == "2"
    periods = soup(response).find("table", class_="periods")
    audit_group = next(body for body in periods.find_all("tbody") if "Staff audit log" in body.th.get_text())
    assert "12 months" in audit_group.get_text(" ")
