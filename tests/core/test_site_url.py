"""Absolute URLs come from SITE_URL, never from the request (Host, X-Forwarded-Host, Forwarded).

A forged Host on a form that mails must not put the forger's address in the link: whoever gets
a rights verification token reads or erases that person's data.
"""

import pytest

from tests.conftest import SITE_URL
from tests.helpers import LANGS, PAGES, soup
from tests.helpers.contact import VALID
from tests.helpers.mail import text_of

pytestmark = pytest.mark.db

FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"}


def post_forged(client, path, **fields):
    """The attacker's way: read the form and post it, both through the forged Host."""
    token = soup(client.get(path, headers=FORGED)).find("input", attrs={"name": "csrf_token"})["value"]
    return client.post(path, data={**fields, "csrf_token": token}, headers=FORGED)


def assert_only_site_url(message):
    """Neither the headers nor the decoded text name the forged host; the links are SITE_URL's."""
    readable = "\n".join([*(f"{name}: {value}" for name, value in message.items()), text_of(message)])
    assert "evil.example" not in readable
    assert f"{SITE_URL}/" in readable


def test_the_contact_notification_links_to_the_site_url(app, client, smtp):
    assert post_forged(client, "/en/contact", **VALID).status_code == 303
    (notification,) = smtp.wait_for(1)
    assert_only_site_url(notification)
    assert f"{SITE_URL}/staff/messages/1" in text_of(notification)


def test_the_newsletter_links_and_list_unsubscribe_use_the_site_url(client, smtp):
    assert post_forged(client, "/fr/newsletter", email="ada@example.org").status_code == 303
    (confirmation,) = smtp.wait_for(1)
    assert_only_site_url(confirmation)
    assert confirmation["List-Unsubscribe"].startswith(f"<{SITE_URL}/fr/newsletter/unsubscribe/")


def test_the_rights_verification_link_uses_the_site_url(client, smtp):
    response = post_forged(client, "/en/rights", right="access", email="ada@example.org")
    assert response.status_code == 303
    (verification,) = smtp.wait_for(1)
    assert_only_site_url(verification)
    assert f"{SITE_URL}/en/rights/verify/" in text_of(verification)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_canonical_and_hreflang_ignore_a_forged_host(client, lang, path):
    response = client.get(f"/{lang}{path}", headers=FORGED)
    assert b"evil.example" not in response.data
    assert soup(response).find("link", rel="canonical")["href"] == f"{SITE_URL}/{lang}{path}"


@pytest.mark.parametrize("app_settings", [{"TRUSTED_HOSTS": ["www.koki.test", "localhost"]}])
@pytest.mark.parametrize("path", ["/en/", "/fr/contact", "/staff/login", "/nowhere"])
def test_a_host_outside_trusted_hosts_gets_a_400_page(client, path):
    response = client.get(path, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert soup(response).h1 is not None
    assert b"evil.example" not in response.data
    assert client.get(path).status_code in (200, 404)  # a trusted host is served


@pytest.mark.parametrize("app_settings", [{"TRUSTED_HOSTS": ["www.koki.test"]}])
def test_a_post_for_another_host_is_refused_and_mails_nothing(client, smtp):
    response = client.post("/en/newsletter", data={"email": "ada@example.org"}, headers=FORGED)
    assert response.status_code == 400
    assert smtp.messages == []


def test_without_proxy_settings_forwarded_headers_are_ignored(client):
    response = client.get("/en/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("app_settings", [{"PROXY_FIX_X_FOR": 1, "PROXY_FIX_X_PROTO": 1}])
def test_behind_a_configured_proxy_the_scheme_and_client_address_are_the_proxys(app, client):
    seen = []
    app.before_request(lambda: seen.append(__import__("flask").request.remote_addr))
    response = client.get("/en/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert seen == ["203.0.113.7"]
