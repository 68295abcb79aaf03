"""Staff login: one message for every failure, idle timeout, new session, logout.

The lockout is in test_lockout.py, the same answer whatever failed in test_login_answers.py.
"""

import json
import re

import pytest

from tests.helpers import soup, visible_text
from tests.helpers.staff import (
    STAFF_PASSWORD,
    account,
    add_account,
    add_failures,
    audit_entries,
    csrf_token,
    failures,
    log_in,
    log_out,
)

pytestmark = pytest.mark.db

EMAIL = "ada@koki.test"
WRONG = "wrong email or password, or too many attempts. check what you typed, or try again later."
EN = {"Accept-Language": "en"}


@pytest.fixture
def client(app):
    """A browser that asks for English: these tests read the back office's English texts."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def ada(app):
    add_account(app, EMAIL, "support")
    return EMAIL


def test_the_login_form_has_email_and_password_fields(client):
    response = client.get("/staff/login", headers=EN)
    assert response.status_code == 200
    form = soup(response).find("form", method="post")
    names = {field["name"] for field in form.find_all("input")}
    assert names == {"csrf_token", "email", "password"}
    for name in ("email", "password"):
        field = form.find("input", attrs={"name": name})
        assert form.find("label", attrs={"for": field["id"]}).get_text(strip=True)
    assert form.find("input", attrs={"name": "password"})["type"] == "password"


def test_a_right_password_logs_in_and_is_audited(app, client, ada):
    add_failures(app, ada, 3, address="127.0.0.1")  # the test client's address: forgotten at login
    add_failures(app, ada, 2, address="192.0.2.7")  # another address's: kept
    response = log_in(client, "  ADA@koki.test ")  # as typed: spaces, capitals
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert "logged in as ada@koki.test" in visible_text(client.get("/staff/", headers=EN))
    stored = account(app, ada)
    assert stored.last_login_at is not None
    assert len(failures(app, ada)) == 2
    [entry] = audit_entries(app, "login")
    assert entry.actor == ada and entry.actor_id == stored.id


@pytest.mark.parametrize(
    "email, password",
    [(EMAIL, "not-the-password"), ("nobody@koki.test", STAFF_PASSWORD), ("not an address", "x")],
)
def test_every_failure_gets_the_same_message(app, client, ada, email, password):
    response = log_in(client, email, password)
    assert response.status_code == 200
    page = soup(response)
    alert = page.find(id="login-error")
    assert alert["role"] == "alert" and alert.get_text(strip=True).lower() == WRONG
    assert "login-error" in page.find("input", attrs={"name": "email"})["aria-describedby"]
    assert client.get("/staff/").status_code == 302  # not logged in
    [entry] = audit_entries(app, "login_failed")
    if email == EMAIL:
        assert entry.actor == EMAIL and json.loads(entry.details) == {"reason": "wrong password"}
    else:  # what was typed may be anyone's address, or a password: it is not kept
        assert entry.actor == "unknown" and email not in (entry.details or "")


def test_login_starts_a_new_session(client, ada):
    client.get("/staff/login")
    with client.session_transaction() as session:
        session["planted"] = "before login"
    log_in(client, ada)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


@pytest.mark.parametrize(
    "next_path, location",
    [
        ("/staff/stats?days=7", "/staff/stats?days=7"),
        ("//evil.example/", "/staff/"),
        ("https://evil.example/staff/", "/staff/"),
        ("/\\evil.example", "/staff/"),
    ],
)
def test_login_goes_back_to_a_page_of_this_site_only(client, ada, next_path, location):
    assert log_in(client, ada, next_path=next_path).headers["Location"] == location


def test_a_page_sends_a_visitor_who_is_not_logged_in_to_the_login_page(client):
    response = client.get("/staff/accounts?x=1", headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=%2Fstaff%2Faccounts%3Fx%3D1"
    page = client.get(response.headers["Location"], headers=EN)
    assert "please log in to see this page." in visible_text(page)
    assert soup(page).find("form")["action"] == "/staff/login?next=/staff/accounts?x%3D1"


def test_idle_staff_are_logged_out(app, client, ada):
    log_in(client, ada)
    with client.session_transaction() as session:
        session["staff_seen"] -= 29 * 60  # active 29 minutes ago: still in
    assert client.get("/staff/").status_code == 200
    with client.session_transaction() as session:
        session["staff_seen"] -= 31 * 60
    response = client.get("/staff/stats?days=7", headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/login?next=/staff/stats?days%3D7"
    text = visible_text(client.get(response.headers["Location"], headers=EN))
    assert "you were logged out after 30 minutes without activity." in text
    assert client.get("/staff/").status_code == 302
    [entry] = audit_entries(app, "logout")
    assert entry.actor == ada and json.loads(entry.details) == {"reason": "idle"}


def test_logout_is_a_post_with_its_token(app, client, ada):
    log_in(client, ada)
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400  # no CSRF token
    assert client.get("/staff/").status_code == 200  # still logged in
    response = log_out(client)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
    assert "you are logged out." in visible_text(client.get("/staff/login", headers=EN))
    assert client.get("/staff/").status_code == 302
    assert [entry.actor for entry in audit_entries(app, "logout")] == [ada]


def test_a_copy_of_the_session_cookie_is_worthless_after_logout(app, client, ada):
    log_in(client, ada)
    stolen = client.get_cookie("session").value
    log_out(client)
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/staff/").status_code == 302
    log_in(client, ada)  # logging in again opens a new session
    assert client.get("/staff/").status_code == 200


def test_the_layout_offers_the_logout_button(client, ada):
    log_in(client, ada)
    form = soup(client.get("/staff/")).find("form", action="/staff/logout")
    assert form["method"] == "post" and form.find("input", attrs={"name": "csrf_token"})["value"]
    assert form.find("button", type="submit")


@pytest.mark.parametrize("app_settings", [{"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}])
def test_login_posts_are_limited_per_address(client, ada):
    token = csrf_token(client)
    for _ in range(3):
        client.post("/staff/login", data={"csrf_token": token, "email": ada, "password": "wrong"})
    response = client.post(
        "/staff/login", data={"csrf_token": token, "email": ada, "password": STAFF_PASSWORD}
    )
    assert response.status_code == 429
    assert client.get("/staff/login").status_code == 200  # reading the form is not limited
    other = client.application.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert log_in(other, ada).status_code == 303  # another address has its own count


@pytest.mark.parametrize("path", ["/staff/login", "/staff/", "/staff/accounts"])
def test_staff_responses_are_not_stored_nor_indexed(client, ada, path):
    log_in(client, ada)
    response = client.get(path)  # a page, a redirect, a 403
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"


def test_the_layout_is_the_staff_one(client):
    page = soup(client.get("/staff/login"))
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("a", class_="skip-link")["href"] == "#main" and page.find("main", id="main")
    sheets = [link["href"] for link in page.find_all("link", rel="stylesheet")]
    assert [re.sub(r"\.[0-9a-f]{12}\.", ".", sheet) for sheet in sheets] == [
        "/static/css/site.css",
        "/static/css/staff.css",
    ]
    assert not page.find(class_="consent-banner")
    assert not page.find(style=True) and not page.find("style") and not page.find("script")
