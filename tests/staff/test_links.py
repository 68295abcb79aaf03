"""Links mailed to a staff account's own address, where the password is not enough.

Past the account's ceiling of failed logins, the right password from a browser the site does not
know gets a one-time login link mailed to the account (from SITE_URL, 15 minutes, used once); a
wrong one gets the same page and no mail. An account that must use a second factor and has none
sets it up through an enrolment link (mailed, or printed by `flask staff create`) and its
password: the password alone reaches no setup page.
"""

import json

import pyotp
import pytest

from koki_site.staff import links
from tests.conftest import SITE_URL
from tests.helpers import soup, visible_text
from tests.helpers.mail import text_of
from tests.helpers.staff import (
    add_account,
    add_failures,
    audit_entries,
    csrf_token,
    failures,
    log_in,
    log_out,
    mailed_link,
    use_link,
)
from tests.staff.test_lockout import browser, guess_from_many_addresses

pytestmark = pytest.mark.db

EMAIL = "ada@koki.test"
ADMIN = "admin@koki.test"
PERSON = "198.51.100.20"
SECRET = pyotp.random_base32()


@pytest.fixture
def ada(app):
    add_account(app, EMAIL, "support")
    return EMAIL


def logged_in(client):
    return client.get("/staff/").status_code == 200


def test_past_the_ceiling_the_person_logs_in_from_a_new_browser_through_the_mailed_link(app, ada, smtp):
    guess_from_many_addresses(app, ada, 20)
    laptop = browser(app, PERSON)  # a new laptop: no known-device cookie
    answer = log_in(laptop, ada)
    assert answer.status_code == 200 and "check your mailbox" in visible_text(answer)
    assert not logged_in(laptop)
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == ada
    assert f"{SITE_URL}/staff/login/link/" in text_of(mail)
    assert "15 minutes" in text_of(mail)
    link = mailed_link(mail)

    opened = laptop.get(link)  # a mail scanner that fetches the link spends nothing
    assert opened.status_code == 200 and soup(opened).find("button", type="submit")
    assert not logged_in(laptop)
    response = use_link(laptop, link)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/"
    assert logged_in(laptop)
    assert audit_entries(app, "login_ceiling")  # admins are still told

    # Used once: the same link again is refused, in any browser.
    assert browser(app, PERSON).get(link).status_code == 400
    assert use_link(browser(app, "192.0.2.200"), link).status_code == 400
    # The laptop is a known browser now: while the attack goes on, its password is enough.
    log_out(laptop)
    assert log_in(laptop, ada).status_code == 303


def test_past_the_ceiling_a_guesser_gets_the_same_page_and_no_mail(app, ada, smtp):
    guess_from_many_addresses(app, ada, 20)
    guessed = log_in(browser(app, "203.0.113.50"), ada, "not-the-password")
    right = log_in(browser(app, "203.0.113.51"), ada)
    assert (guessed.status_code, visible_text(guessed)) == (right.status_code, visible_text(right))
    (mail,) = smtp.wait_for(1)  # one mail: for the right password only
    assert mail["To"] == ada
    assert len(smtp.wait_for(2, timeout=0.5)) == 1
    # The wrong guess counts as a failure; the right password does not.
    assert len(failures(app, ada)) == 21
    reason = json.loads(audit_entries(app, "login_failed")[-1].details)["reason"]
    assert reason == "unknown device during a guessing attack"


def test_a_login_link_works_fifteen_minutes_and_a_newer_one_replaces_it(app, ada, smtp, monkeypatch):
    guess_from_many_addresses(app, ada, 20)
    laptop = browser(app, PERSON)
    log_in(laptop, ada)
    log_in(laptop, ada)
    first, second = (mailed_link(mail) for mail in smtp.wait_for(2))
    assert use_link(laptop, first).status_code == 400  # replaced by the second
    page = soup(laptop.get(first))
    assert "no longer works" in page.find("h1").get_text()
    monkeypatch.setattr(links, "LOGIN_LINK_MINUTES", -1)  # as if 15 minutes had passed
    assert use_link(laptop, second).status_code == 400
    monkeypatch.setattr(links, "LOGIN_LINK_MINUTES", 15)
    assert use_link(laptop, second).status_code == 303
    assert logged_in(laptop)


def test_a_forged_or_mangled_link_is_refused(app, ada, smtp):
    guess_from_many_addresses(app, ada, 20)
    laptop = browser(app, PERSON)
    log_in(laptop, ada)
    link = mailed_link(smtp.wait_for(1)[0])
    assert laptop.get(link[:-3] + "abc").status_code == 400
    assert laptop.get("/staff/login/link/nothing").status_code == 400
    assert laptop.get(link.replace("/login/link/", "/enrol/")).status_code == 400  # another kind of link
    assert not logged_in(laptop)


def send_code(client, code):
    return client.post(
        "/staff/login/code", data={"csrf_token": csrf_token(client, "/staff/login/code"), "code": code}
    )


@pytest.mark.parametrize("app_settings", [{"STAFF_2FA_ROLES": ["admin"]}])
def test_past_the_ceiling_the_link_of_an_account_with_a_second_factor_leads_to_the_code(app, smtp):
    add_account(app, ADMIN, "admin", totp_secret=SECRET)
    guess_from_many_addresses(app, ADMIN, 20)
    laptop = browser(app, PERSON)
    assert "check your mailbox" in visible_text(log_in(laptop, ADMIN))
    link = mailed_link(smtp.wait_for(1)[0])
    response = use_link(laptop, link)
    assert response.headers["Location"] == "/staff/login/code"
    assert not logged_in(laptop)
    assert send_code(laptop, pyotp.TOTP(SECRET).now()).status_code == 303
    assert logged_in(laptop)
    assert use_link(browser(app, "192.0.2.200"), link).status_code == 400  # used once here too


@pytest.mark.parametrize("app_settings", [{"STAFF_2FA_ROLES": ["admin"]}])
def test_the_code_step_is_under_the_same_ceiling(app):
    add_account(app, ADMIN, "admin", totp_secret=SECRET)
    guesser = browser(app, "203.0.113.60")  # has the password, not the phone
    assert log_in(guesser, ADMIN).headers["Location"] == "/staff/login/code"
    add_failures(app, ADMIN, 20, address="192.0.2.77")  # meanwhile, the ceiling is crossed
    refused = send_code(guesser, pyotp.TOTP(SECRET).now())  # even the right code
    assert refused.status_code == 200 and soup(refused).find(id="code-error")
    assert not logged_in(guesser)
    reason = json.loads(audit_entries(app, "login_failed")[-1].details)["reason"]
    assert reason == "unknown device during a guessing attack"


@pytest.mark.parametrize("app_settings", [{"STAFF_2FA_ROLES": ["admin"]}])
def test_the_password_alone_reaches_no_setup_page(app, smtp):
    add_account(app, ADMIN, "admin")  # must use a second factor, has none yet
    client = browser(app, PERSON)
    answer = log_in(client, ADMIN)
    assert answer.status_code == 200 and "check your mailbox" in visible_text(answer)
    setup = client.get("/staff/login/code")
    assert setup.status_code == 303 and setup.headers["Location"] == "/staff/login"
    assert not logged_in(client)
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == ADMIN and f"{SITE_URL}/staff/enrol/" in text_of(mail)

    # The link alone logs nobody in; with the password after it, the setup page shows.
    assert use_link(client, mailed_link(mail)).headers["Location"] == "/staff/login"
    assert not logged_in(client)
    assert log_in(client, ADMIN).headers["Location"] == "/staff/login/code"
    assert soup(client.get("/staff/login/code")).find("img", class_="qr-code")


@pytest.mark.parametrize("app_settings", [{"STAFF_2FA_ROLES": ["admin"]}])
def test_an_enrolment_link_opened_in_another_browser_lets_only_that_browser_set_up(app, smtp):
    add_account(app, ADMIN, "admin")
    log_in(browser(app, "203.0.113.70"), ADMIN)  # whoever typed the password
    phone = browser(app, PERSON)  # the person opens the mail on their own device
    use_link(phone, mailed_link(smtp.wait_for(1)[0]))
    assert log_in(phone, ADMIN).headers["Location"] == "/staff/login/code"
    other = browser(app, "203.0.113.70")
    assert log_in(other, ADMIN).status_code == 200  # a new link mailed; no setup page
    assert other.get("/staff/login/code").status_code == 303


@pytest.mark.parametrize("app_settings", [{"STAFF_2FA_ROLES": ["admin"]}])
def test_flask_staff_create_prints_an_enrolment_link_valid_for_the_configured_hours(app, runner):
    password = "correct-horse-battery"
    result = runner.invoke(
        args=["staff", "create", ADMIN, "--role", "admin"], input=f"{password}\n{password}\n"
    )
    assert result.exit_code == 0, result.output
    assert "valid 24 hours" in result.output
    link = result.output.split(SITE_URL, 1)[1].split()[0]
    assert link.startswith("/staff/enrol/")
    client = browser(app, PERSON)
    app.config["STAFF_ENROL_LINK_HOURS"] = -1  # as if the hours had passed
    assert use_link(client, link).status_code == 400
    app.config["STAFF_ENROL_LINK_HOURS"] = 24
    assert use_link(client, link).status_code == 303
    assert log_in(client, ADMIN, password).headers["Location"] == "/staff/login/code"


def test_an_account_with_no_second_factor_to_set_up_gets_no_link_from_the_cli(runner):
    password = "correct-horse-battery"
    result = runner.invoke(
        args=["staff", "create", EMAIL, "--role", "support"], input=f"{password}\n{password}\n"
    )
    assert result.exit_code == 0 and "/staff/enrol/" not in result.output
