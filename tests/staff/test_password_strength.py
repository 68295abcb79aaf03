"""Staff passwords: one strength rule for the CLI and the accounts page; /staff/password.

The rule: STAFF_MIN_PASSWORD_LENGTH characters and a zxcvbn score of 3, zxcvbn knowing the email
address, the company's name and the site's host name, whole and word by word. Changing one's own
password ends one's other sessions.
"""

import json

import pytest

from tests.helpers import soup, visible_text
from tests.helpers.staff import (
    STAFF_PASSWORD,
    account,
    add_account,
    audit_entries,
    csrf_token,
    log_in,
)

pytestmark = pytest.mark.db

EMAIL = "grace.hopper@koki.test"
STRONG = "quiet otter carries brass kettles"
EN = {"Accept-Language": "en"}
WEAK = [
    ("password1234", "too common"),
    ("azertyuiop123", "too common"),
    ("koki software 2026", "built on the email address or on the name of the company"),
    ("koki-software-2026", "built on the email address or on the name of the company"),
    ("KokiSoftware2026!", "built on the email address or on the name of the company"),
    ("aaaaaaaaaaaaaaaa", "repeats the same characters"),
    ("grace.hopper2026", "built on the email address or on the name of the company"),
]
HOW_TO_FIX = "choose four or five unrelated words, or a long random password from a password manager."


def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def create(runner, password, email=EMAIL):
    return runner.invoke(args=["staff", "create", email, "--role", "dpo"], input=f"{password}\n{password}\n")


@pytest.mark.parametrize("password, why", WEAK)
def test_the_cli_refuses_a_weak_password_and_says_how_to_fix_it(app, runner, password, why):
    result = create(runner, password)
    assert result.exit_code == 1
    message = " ".join(result.output.lower().split())
    assert why in message and HOW_TO_FIX in message
    assert account(app, EMAIL) is None


@pytest.mark.parametrize("app_settings", [{"SITE_URL": "https://intranet.kokitracabilite.fr"}])
@pytest.mark.parametrize("password", ["kokitracabilite2026!", "Kokitracabilite.fr!"])
def test_a_password_built_on_the_sites_host_name_is_refused(app, runner, password):
    result = create(runner, password)
    assert result.exit_code == 1
    assert "built on the email address or on the name of the company" in " ".join(result.output.split())
    assert account(app, EMAIL) is None


@pytest.mark.parametrize("password", ["nettoyage-durable-2026", "Nettoyage-Durable!26"])
def test_a_password_built_on_the_domain_of_the_address_is_refused(app, runner, password):
    result = create(runner, password, email="grace@nettoyage-durable.test")
    assert result.exit_code == 1
    assert "built on the email address or on the name of the company" in " ".join(result.output.split())
    assert account(app, "grace@nettoyage-durable.test") is None


def test_the_cli_accepts_a_strong_password(app, runner):
    result = create(runner, STRONG)
    assert result.exit_code == 0, result.output
    assert log_in(english(app.test_client()), EMAIL, STRONG).status_code == 303


def create_with_form(admin, password):
    data = {"email": EMAIL, "roles": ["dpo"], "password": password, "confirm": password}
    return admin.post("/staff/accounts", data={"csrf_token": csrf_token(admin, "/staff/accounts"), **data})


@pytest.mark.parametrize("password, why", WEAK)
def test_the_accounts_page_refuses_a_weak_password_and_says_how_to_fix_it(app, staff, password, why):
    response = create_with_form(staff("admin"), password)
    assert response.status_code == 200
    error = " ".join(soup(response).find(id="password-error").get_text(" ").lower().split())
    assert why in error and HOW_TO_FIX in error
    assert account(app, EMAIL) is None


def test_the_accounts_page_accepts_a_strong_password(app, staff):
    assert create_with_form(staff("admin"), STRONG).status_code == 303
    assert account(app, EMAIL) is not None


def test_the_messages_are_in_french_on_a_french_page(app, staff):
    admin = staff("admin")
    admin.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    error = soup(create_with_form(admin, "password1234")).find(id="password-error").get_text(" ")
    assert "trop courant" in error and "gestionnaire de mots de passe" in error


# /staff/password


@pytest.fixture
def grace(app):
    """grace's account, and a browser logged in to it."""
    add_account(app, EMAIL, "support")
    client = english(app.test_client())
    assert log_in(client, EMAIL).status_code == 303
    return client


def change(client, current, new, again=None):
    data = {"current_password": current, "new_password": new, "confirm": new if again is None else again}
    return client.post("/staff/password", data={"csrf_token": csrf_token(client, "/staff/password"), **data})


def test_the_password_page_needs_a_login_and_is_in_the_menu_of_every_role(app, staff, client):
    response = client.get("/staff/password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")
    for role in ("support", "marketing", "dpo", "admin"):
        page = soup(staff(role).get("/staff/password", headers=EN))
        assert page.find("nav", class_="staff-nav").find("a", href="/staff/password")
        form = page.find("form", action="/staff/password")
        names = {field["name"] for field in form.find_all("input")}
        assert names == {"csrf_token", "current_password", "new_password", "confirm"}
        for field in form.find_all("input", type="password"):
            assert form.find("label", attrs={"for": field["id"]})


@pytest.mark.parametrize(
    "current, new, again, field, message",
    [
        ("not-my-password", STRONG, None, "current_password", "this is not your current password."),
        (STAFF_PASSWORD, "password1234", None, "new_password", "too common"),
        (STAFF_PASSWORD, "koki-software-2026", None, "new_password", "built on the email address"),
        (STAFF_PASSWORD, STRONG, STRONG + "!", "confirm", "the two passwords differ."),
        (STAFF_PASSWORD, STAFF_PASSWORD, None, "new_password", "must differ from the current one"),
    ],
)
def test_the_password_page_says_what_is_wrong(app, grace, current, new, again, field, message):
    before = account(app, EMAIL).password_hash
    response = change(grace, current, new, again)
    assert response.status_code == 200
    error = soup(response).find(id=f"{field}-error")
    assert message in " ".join(error.get_text(" ").lower().split())
    assert account(app, EMAIL).password_hash == before
    assert not audit_entries(app, "account_change")


def test_a_new_password_ends_the_other_sessions_and_this_one_goes_on(app, grace):
    other = english(app.test_client())  # the same account, in another browser
    assert log_in(other, EMAIL).status_code == 303
    response = change(grace, STAFF_PASSWORD, STRONG)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    assert "your password is changed. your other sessions have ended." in visible_text(
        grace.get("/staff/", headers=EN)
    )
    assert grace.get("/staff/password").status_code == 200  # this session goes on
    assert other.get("/staff/").status_code == 302  # the other one is sent to the login page
    [entry] = audit_entries(app, "account_change")
    assert entry.actor == EMAIL and json.loads(entry.details) == {"change": "password", "email": EMAIL}

    fresh = english(app.test_client())
    assert log_in(fresh, EMAIL, STAFF_PASSWORD).status_code == 200  # the old password no longer works
    assert log_in(fresh, EMAIL, STRONG).status_code == 303
