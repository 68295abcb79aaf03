"""One client, one key: an IPv4 address, or an IPv6 /64, for every rate limit and every lockout."""

import pytest

from koki_site.core.clients import client_key
from tests.helpers.contact import send_contact
from tests.helpers.staff import add_account, failures, from_address, log_in
from tests.staff.test_lockout import browser, refused

pytestmark = pytest.mark.db

HOME = "2001:db8:5:7"  # one home connection's /64


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:5:7::1", "2001:db8:5:7::/64"),
        ("2001:DB8:5:7:a:b:c:d", "2001:db8:5:7::/64"),
        ("2001:db8:5:8::1", "2001:db8:5:8::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("", ""),
    ],
)
def test_the_key_of_an_address(address, key):
    assert client_key(address) == key


@pytest.fixture
def app_settings():
    return {"RATELIMIT_ENABLED": True, "CONTACT_RATE_LIMIT": "5 per minute"}


def test_twelve_addresses_of_one_ipv6_network_share_one_contact_limit(app):
    answers = [
        send_contact(from_address(app.test_client(), f"{HOME}::{n + 1:x}")).status_code for n in range(12)
    ]
    assert answers == [303] * 5 + [429] * 7
    # Another /64, and an IPv4 client, each have their own.
    assert send_contact(from_address(app.test_client(), "2001:db8:5:8::1")).status_code == 303
    assert send_contact(from_address(app.test_client(), "192.0.2.7")).status_code == 303


def test_an_ipv6_network_is_locked_out_as_one_address(app):
    email = "ada@koki.test"
    add_account(app, email, "support")
    for n in range(5):
        assert refused(log_in(browser(app, f"{HOME}::{n + 1:x}"), email, "guess"))
    # A sixth address of the same /64 is locked out too, even with the right password...
    assert refused(log_in(browser(app, f"{HOME}::99"), email))
    assert len({failure.address for failure in failures(app, email)}) == 1
    # ...while the person, elsewhere, logs in.
    assert log_in(browser(app, "2001:db8:9:9::1"), email).status_code == 303
