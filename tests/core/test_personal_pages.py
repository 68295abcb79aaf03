"""Personal pages are not cached, a link shows data once, cached pages vary as they should."""

import pytest

from koki_site.rights import verifying_browser
from tests.helpers import LANGS, PAGES
from tests.helpers.consent import decide
from tests.helpers.contact import reference_of, send_contact
from tests.helpers.rights import ask, verify_link

pytestmark = pytest.mark.db
ADA = "ada@example.org"


def verified_access(client, smtp, right="access"):
    """Ada wrote to us; she asks, follows the mail's link, confirms: the path and the page."""
    send_contact(client, "en", email=ADA)
    smtp.messages.clear()
    ask(client, right, ADA)
    path = verify_link(smtp.wait_for(1)[0])
    return path, client.post(path, data={"action": "verify"})


def test_the_verified_pages_and_the_download_are_never_stored(client, smtp):
    path, page = verified_access(client, smtp)
    assert page.status_code == 200 and ADA in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get(path).headers["Cache-Control"] == "no-store"
    download = client.get(f"{path}/data.json")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"


def stored(response):
    return response.headers.get("Cache-Control") != "no-store"


def test_pages_filled_from_the_visitors_cookies_are_never_stored(client, smtp):
    for path in ("/en/contact", "/en/newsletter", "/en/cookies", "/en/my-requests"):
        assert ADA not in client.get(path).get_data(as_text=True)
    assert stored(client.get("/en/contact")) and stored(client.get("/en/newsletter"))
    assert stored(client.get("/en/cookies"))  # no choice made yet: the page of everyone
    decide(client, "accept_all")
    sent = send_contact(client, "en", email=ADA)
    assert not stored(client.get(sent.headers["Location"]))  # the message's reference
    for path in ("/en/contact", "/fr/newsletter"):
        page = client.get(path)
        assert ADA in page.get_data(as_text=True) and not stored(page), path
    cookies_page, my_requests = client.get("/en/cookies"), client.get("/en/my-requests")
    assert not stored(cookies_page) and not stored(my_requests)
    reference = reference_of(sent)
    assert reference in my_requests.get_data(as_text=True)
    assert stored(client.get("/en/privacy")) and stored(client.get("/en/"))  # nothing of hers


def test_a_form_shown_again_with_what_was_typed_is_never_stored(client):
    for path, data in (
        ("/en/contact", {"email": ADA, "message": ""}),
        ("/en/newsletter", {"email": ADA}),  # no token: the form again, address kept
        ("/en/rights", {"email": ADA, "right": "access"}),
    ):
        page = client.post(path, data=data)
        assert page.status_code == 400 and ADA in page.get_data(as_text=True), path
        assert not stored(page), path


def test_after_it_is_verified_the_link_shows_nothing_to_another_browser(app, client, smtp):
    path, _ = verified_access(client, smtp)
    assert client.get(path).status_code == 200  # the browser that verified it
    other = app.test_client()  # a forwarded mail, a shared mailbox
    for response in (
        other.get(path),
        other.post(path, data={"action": "verify"}),
        other.get(f"{path}/data.json"),
    ):
        assert response.status_code == 403
        assert ADA not in response.get_data(as_text=True)
        assert "already been used" in response.get_data(as_text=True)


def test_the_erasure_button_needs_the_browser_that_verified(app, client, smtp):
    path, _ = verified_access(client, smtp, "erasure")
    assert app.test_client().post(path, data={"action": "erase"}).status_code == 403
    assert client.post(path, data={"action": "erase"}).status_code == 200


def test_the_browser_that_verified_sees_the_data_for_an_hour_only(client, smtp, monkeypatch):
    path, _ = verified_access(client, smtp)
    monkeypatch.setattr(verifying_browser, "VERIFIED_FOR", 0)  # the hour has passed
    response = client.get(path)
    assert response.status_code == 403 and ADA not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [f"/{lang}{page}" for lang in LANGS for page in PAGES])
def test_public_pages_vary_on_the_consent_cookie_and_the_gpc_signal(client, path):
    vary = {value.strip() for value in client.get(path).headers["Vary"].split(",")}
    assert {"Cookie", "Sec-GPC"} <= vary


def test_a_forged_statistics_cookie_is_ignored(client):
    decide(client, "accept_all")
    client.get("/en/")
    genuine = client.get_cookie("koki_stats").value
    client.set_cookie("koki_stats", "forged-visitor-id")
    client.get("/en/privacy")
    replaced = client.get_cookie("koki_stats").value
    assert replaced not in ("forged-visitor-id", genuine)  # a new, signed identifier
    client.get("/en/legal")
    assert client.get_cookie("koki_stats").value == replaced  # kept once it is the site's own


def test_odd_hosts_and_query_strings_neither_fill_nor_flush_the_page_cache(app, client):
    client.get("/en/privacy")
    for number in range(300):  # more than the cache holds
        client.get(f"/en/privacy?utm={number}", headers={"Host": f"h{number}.example"})
    assert list(app.extensions["koki_page_cache"]) == [("/en/privacy", "none")]
