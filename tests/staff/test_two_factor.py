"""Two-factor authentication: TOTP required for admins by default, recovery codes, resets."""

import time

import pyotp
import pytest
from sqlalchemy import select

from koki_site.core.audit import AuditEntry
from koki_site.extensions import db
from koki_site.staff import login_code
from tests.helpers import soup
from tests.helpers.staff import account, add_account, csrf_token, log_in, log_out, mailed_link, use_link

pytestmark = pytest.mark.db
ADMIN = "admin@koki.test"
TEST_SECRET = pyotp.random_base32()


@pytest.fixture
def app_settings():
    return {"STAFF_2FA_ROLES": ["admin"]}  # the default of the configuration


def send_code(client, code):
    return client.post(
        "/staff/login/code", data={"csrf_token": csrf_token(client, "/staff/login/code"), "code": code}
    )


def set_up(client, smtp):
    """Log in with the password, open the mailed setup link, log in again, then enrol as the page
    says: the secret and the recovery codes."""
    smtp.messages.clear()
    assert log_in(client, ADMIN).status_code == 200  # no setup page: a link is mailed
    (mail,) = smtp.wait_for(1)
    assert use_link(client, mailed_link(mail)).headers["Location"] == "/staff/login"
    assert log_in(client, ADMIN).headers["Location"] == "/staff/login/code"
    page = soup(client.get("/staff/login/code"))
    assert page.find("img", class_="qr-code")["src"].startswith("data:image/svg+xml")
    secret = page.find("code", class_="secret").get_text().replace(" ", "")
    codes_page = send_code(client, pyotp.TOTP(secret).now())
    codes = [code.get_text() for code in soup(codes_page).select(".recovery-codes code")]
    return secret, codes


def test_an_admin_sets_up_the_second_factor_at_the_first_login(app, client, smtp):
    add_account(app, ADMIN, "admin")
    assert client.get("/staff/").status_code == 302  # the password alone is not a login
    secret, codes = set_up(client, smtp)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/staff/").status_code == 200
    assert account(app, ADMIN).totp_secret not in (None, secret)  # stored encrypted


def test_each_login_asks_for_a_code_usable_once(app, client, smtp):
    add_account(app, ADMIN, "admin")
    secret, codes = set_up(client, smtp)
    log_out(client)
    log_in(client, ADMIN)
    assert send_code(client, "000000").status_code == 200  # wrong: the page again
    assert client.get("/staff/").status_code == 302
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step: the setup used this one
    assert send_code(client, code).status_code == 303
    log_out(client)
    log_in(client, ADMIN)
    refused = send_code(client, code)  # the same code again: refused
    assert "déjà servi" in soup(refused).find(id="code-error").get_text()  # French: no Accept-Language
    assert send_code(client, codes[0].lower()).status_code == 303  # a recovery code, once
    log_out(client)
    log_in(client, ADMIN)
    assert send_code(client, codes[0]).status_code == 200


def test_other_roles_log_in_with_the_password_unless_the_settings_say_so(app, client):
    add_account(app, "dpo@koki.test", "dpo", totp_secret=TEST_SECRET)
    add_account(app, "support@koki.test", "support")
    app.config["STAFF_2FA_ROLES"] = ["admin", "dpo"]  # as /staff/settings would store it
    assert log_in(client, "support@koki.test").headers["Location"] == "/staff/"
    log_out(client)
    assert log_in(client, "dpo@koki.test").headers["Location"] == "/staff/login/code"


def test_an_admin_resets_a_lost_second_factor_and_it_is_audited(app, client, staff, smtp):
    add_account(app, ADMIN, "admin")
    set_up(client, smtp)
    other_admin = app.test_client()
    add_account(app, "chief@koki.test", "admin", totp_secret=TEST_SECRET)
    log_in(other_admin, "chief@koki.test")
    send_code(other_admin, pyotp.TOTP(TEST_SECRET).now())
    target = account(app, ADMIN).id
    page = "/staff/accounts"
    smtp.messages.clear()
    reset = other_admin.post(
        f"/staff/accounts/{target}/reset_two_factor", data={"csrf_token": csrf_token(other_admin, page)}
    )
    assert reset.status_code == 303
    assert account(app, ADMIN).totp_secret is None
    with app.app_context():
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "two_factor_reset")).one()
    # The reset mails the person a link to set it up again; with it and the password, they do.
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == ADMIN
    log_out(client)
    assert use_link(client, mailed_link(mail)).status_code == 303
    log_in(client, ADMIN)
    assert soup(client.get("/staff/login/code")).find("img", class_="qr-code")  # set up again


def test_the_code_is_asked_within_five_minutes_of_the_password(app, client, monkeypatch, smtp):
    add_account(app, ADMIN, "admin")
    set_up(client, smtp)
    log_out(client)
    log_in(client, ADMIN)
    monkeypatch.setattr(login_code, "PENDING_FOR", -1)
    response = client.get("/staff/login/code")
    assert response.status_code == 303 and response.headers["Location"] == "/staff/login"
