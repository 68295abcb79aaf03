"""Staff passwords (SPEC §6): one strength rule for the CLI and the accounts page.

The rule: STAFF_MIN_PASSWORD_LENGTH characters and a zxcvbn score of 3, zxcvbn knowing the email
address and the company's name.
"""

import pytest

from tests.helpers import soup
from tests.staff_helpers import (
    account,
    csrf_token,
    log_in,
)

pytestmark = pytest.mark.db

EMAIL = "grace.hopper@koki.test"
STRONG = "quiet otter carries brass kettles"
WEAK = [
    ("password1234", "too common"),
    ("azertyuiop123", "too common"),
    ("koki software 2026", "built on the email address or on the name of the company"),
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
