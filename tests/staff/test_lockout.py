"""The login lockout: per account and client address, so that nobody can lock a person out.

One address that fails too often is locked out of that account; the person, from elsewhere, logs
in. Many addresses failing on one account cross a ceiling: admins are told, and only a browser
that logged in to the account before (the known-device cookie) may still try a password.
"""

import json
from datetime import timedelta

import pytest

from tests.helpers import soup, visible_text
from tests.helpers.staff import (
    ATTACKER,
    STAFF_PASSWORD,
    add_account,
    add_failures,
    audit_entries,
    csrf_token,
    failures,
    from_address,
    log_in,
    log_out,
)

pytestmark = pytest.mark.db

EMAIL = "ada@koki.test"
REFUSED = "wrong email or password, or too many attempts"
PERSON = "198.51.100.20"  # where the real person logs in from
EN = {"Accept-Language": "en"}


def browser(app, address):
    """A new browser (no cookie) at address, reading the back office in English."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return from_address(client, address)


@pytest.fixture
def ada(app):
    add_account(app, EMAIL, "support")
    return EMAIL


def refused(response):
    return response.status_code == 200 and REFUSED in visible_text(response)


def test_one_address_failing_ten_times_locks_out_that_address_only(app, staff, ada):
    attacker = browser(app, ATTACKER)
    for attempt in range(10):
        assert refused(log_in(attacker, ada, f"guess-{attempt}"))
    # The attacker's address is refused even with the right password, while the lock lasts...
    assert refused(log_in(attacker, ada))
    assert attacker.get("/staff/").status_code == 302
    # ...and the person, from their own address, logs in.
    assert log_in(browser(app, PERSON), ada).status_code == 303

    stored = failures(app, ada)
    assert len(stored) == 11 and len({failure.address for failure in stored}) == 1
    assert ATTACKER not in stored[0].address and len(stored[0].address) == 64  # a keyed hash
    reasons = [json.loads(entry.details)["reason"] for entry in audit_entries(app, "login_failed")]
    assert reasons == ["wrong password"] * 5 + ["address locked"] * 6

    admin = staff("admin")
    ada_id = stored[0].account_id
    token = csrf_token(admin, "/staff/accounts")
    assert admin.post(f"/staff/accounts/{ada_id}/unlock", data={"csrf_token": token}).status_code == 303
    assert not failures(app, ada)
    assert log_in(attacker, ada).status_code == 303  # unlocked: the right password works again


def test_the_lock_of_an_address_lasts_the_lockout_minutes(app, ada):
    add_failures(app, ada, 5, ago=timedelta(minutes=14))
    assert refused(log_in(browser(app, ATTACKER), ada))
    add_failures(app, ada, 5, address="192.0.2.99", ago=timedelta(minutes=16))
    assert log_in(browser(app, "192.0.2.99"), ada).status_code == 303  # 15 minutes are over


def test_an_address_locked_out_of_one_account_may_log_in_to_another(app, ada):
    add_account(app, "grace@koki.test", "dpo")
    add_failures(app, ada, 5)
    assert refused(log_in(browser(app, ATTACKER), ada))
    assert log_in(browser(app, ATTACKER), "grace@koki.test").status_code == 303


def test_four_failures_do_not_lock(app, ada):
    add_failures(app, ada, 4)
    assert log_in(browser(app, ATTACKER), ada).status_code == 303
    assert not failures(app, ada)  # a login forgets the failures of its address


def mailbox_asked(client, email, password=STAFF_PASSWORD):
    """The login answers "check your mailbox" and the browser is not logged in."""
    response = log_in(client, email, password)
    text = visible_text(response)
    return (
        response.status_code == 200
        and "check your mailbox" in text
        and client.get("/staff/").status_code == 302
    )


def guess_from_many_addresses(app, email, count):
    """count wrong passwords, each from a new browser at its own address: refused until the
    ceiling (20), then answered "check your mailbox" as the right password would be."""
    for n in range(count):
        response = log_in(browser(app, f"192.0.2.{n + 1}"), email, "guess")
        assert refused(response) if n < 20 else "check your mailbox" in visible_text(response)


def test_many_addresses_cross_the_ceiling_and_only_a_known_browser_may_try(app, staff, ada):
    usual = browser(app, PERSON)  # the person's usual browser: it logged in before
    assert log_in(usual, ada).status_code == 303
    log_out(usual)
    guess_from_many_addresses(app, ada, 25)

    [entry] = audit_entries(app, "login_ceiling")  # once, when the ceiling was crossed
    assert entry.actor == "system" and entry.target.startswith("staff:")
    assert json.loads(entry.details) == {"failures": 20, "addresses": 20}

    # A browser that never logged in to this account is not let in with the right password, from
    # an address with no failure at all: the login is finished from the account's mailbox...
    assert mailbox_asked(browser(app, "198.51.100.21"), ada)
    assert audit_entries(app, "login_link_sent")
    # ...the person's usual browser logs in.
    assert log_in(usual, ada).status_code == 303

    page = soup(staff("admin").get("/staff/accounts", headers=EN))
    notice = page.find(id="password-guessing")
    assert "password guessing under way" in notice.get_text(" ").lower()
    [row] = notice.find("table").tbody.find_all("tr")
    cells = [cell.get_text(strip=True) for cell in row.find_all(["th", "td"])]
    assert cells == [EMAIL, "25", "25"]  # 25 guesses; the right password is no failure


def test_below_the_ceiling_there_is_no_notice_and_any_browser_may_try(app, staff, ada):
    guess_from_many_addresses(app, ada, 19)
    assert not audit_entries(app, "login_ceiling")
    assert staff("admin").get("/staff/accounts").status_code == 200
    assert soup(staff("admin").get("/staff/accounts")).find(id="password-guessing") is None
    assert log_in(browser(app, PERSON), ada).status_code == 303


def test_a_known_device_of_another_account_or_a_forged_one_does_not_count(app, ada):
    grace = browser(app, PERSON)
    add_account(app, "grace@koki.test", "dpo")
    assert log_in(grace, "grace@koki.test").status_code == 303
    log_out(grace)
    guess_from_many_addresses(app, ada, 20)
    assert mailbox_asked(grace, ada)  # a known device, of grace's account
    forged = browser(app, PERSON)
    forged.set_cookie("koki_staff_device", "eyJhIjoxfQ.forged.signature", path="/staff")
    assert mailbox_asked(forged, ada)


def test_the_admins_unlock_lifts_the_ceiling(app, staff, ada):
    guess_from_many_addresses(app, ada, 20)
    assert mailbox_asked(browser(app, PERSON), ada)
    admin = staff("admin")
    [ada_id] = {failure.account_id for failure in failures(app, ada)}
    admin.post(f"/staff/accounts/{ada_id}/unlock", data={"csrf_token": csrf_token(admin, "/staff/accounts")})
    assert log_in(browser(app, PERSON), ada).status_code == 303


@pytest.mark.parametrize("secure", [True, False])
def test_the_known_device_cookie_is_for_staff_pages_only(app, ada, secure):
    app.config["SESSION_COOKIE_SECURE"] = secure
    response = log_in(browser(app, PERSON), ada)
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("koki_staff_device=")]
    attributes = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    assert attributes["path"] == "Path=/staff" and attributes["samesite"] == "SameSite=Strict"
    assert "httponly" in attributes and attributes["max-age"] == f"Max-Age={90 * 86400}"
    assert ("secure" in attributes) == secure


def test_old_failures_are_purged_after_a_day(app, runner, ada):
    add_failures(app, ada, 3, ago=timedelta(days=1, minutes=1))
    add_failures(app, ada, 2, ago=timedelta(hours=23))
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "failed staff logins: deleted 3" in result.output
    assert len(failures(app, ada)) == 2
