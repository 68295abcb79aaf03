"""The login page tells nothing of the accounts: one answer, one argon2 check, one time.

Unknown address, wrong password, an address locked out, a disabled account: the same page, the
same message, and the same work (one argon2 verification of the account's hash or of the decoy),
so neither the words nor the time tell whether an account exists or what state it is in.
"""

import statistics
import time

import pytest
from argon2 import PasswordHasher

from tests.helpers import soup
from tests.helpers.staff import ATTACKER, STAFF_PASSWORD, add_account, add_failures, csrf_token, from_address

pytestmark = pytest.mark.db

EMAIL = "ada@koki.test"
ANSWERS = {
    "en": "Wrong email or password, or too many attempts. Check what you typed, or try again later.",
    "fr": "Adresse e-mail ou mot de passe incorrect, ou trop de tentatives. Vérifiez votre saisie ou "
    "réessayez plus tard.",
}


def set_up(app, case):
    """The account and state of a case; the (email, password) to try."""
    add_account(app, EMAIL, "support", enabled=case != "disabled")
    if case == "locked":
        add_failures(app, EMAIL, 5)
    if case == "unknown":
        return "nobody@koki.test", STAFF_PASSWORD
    return EMAIL, "not-the-password" if case == "wrong" else STAFF_PASSWORD  # locked, disabled: the right one


@pytest.fixture
def verifications(monkeypatch):
    """The argon2 verifications made, as a list that grows."""
    made = []
    real = PasswordHasher.verify

    def verify(self, hash, password):
        made.append(hash)
        return real(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return made


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", ["unknown", "wrong", "locked", "disabled"])
def test_every_refusal_has_the_same_answer_and_one_argon2_verification(app, verifications, case, lang):
    email, password = set_up(app, case)
    client = from_address(app.test_client(), ATTACKER)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    token = csrf_token(client)
    verifications.clear()
    response = client.post("/staff/login", data={"csrf_token": token, "email": email, "password": password})
    assert response.status_code == 200
    assert " ".join(soup(response).find(id="login-error").get_text().split()) == ANSWERS[lang]
    assert len(verifications) == 1  # the password was hashed and compared, even when refused unchecked
    assert client.get("/staff/").status_code == 302


def time_post(client, token, email):
    """How long one login POST with the right password takes to be refused, in seconds."""
    data = {"csrf_token": token, "email": email, "password": STAFF_PASSWORD}
    start = time.perf_counter()
    response = client.post("/staff/login", data=data)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200  # refused
    return elapsed


# Costs at which argon2 is most of a login's time, as it is in production (the tests lower them).
@pytest.mark.parametrize("app_settings", [{"ARGON2_TIME_COST": 2, "ARGON2_MEMORY_COST": 32768}])
def test_an_unknown_account_takes_as_long_to_refuse_as_a_locked_one(app):
    add_account(app, EMAIL, "support")
    add_failures(app, EMAIL, 5)
    client = from_address(app.test_client(), ATTACKER)
    token = csrf_token(client)
    for email in ("nobody@koki.test", EMAIL):  # warm up: the decoy hash is made once, then kept
        time_post(client, token, email)
    unknown, locked = [], []
    for _ in range(15):  # interleaved, so that a slow moment of the machine falls on both
        unknown.append(time_post(client, token, "nobody@koki.test"))
        locked.append(time_post(client, token, EMAIL))
    unknown, locked = statistics.median(unknown), statistics.median(locked)
    assert abs(unknown - locked) <= 0.2 * max(unknown, locked), (unknown, locked)
