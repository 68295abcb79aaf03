"""The consent purposes wired to the contact form: enhancement (koki_prefs), requests (koki_requests)."""

import pytest

from tests.helpers import soup, visible_text
from tests.helpers.consent import decide, set_cookies
from tests.helpers.contact import VALID, reference_of, send_contact

pytestmark = pytest.mark.db


def form_values(client, lang="en"):
    page = soup(client.get(f"/{lang}/contact"))
    values = {i["name"]: i.get("value", "") for i in page.find("main").find_all("input") if i.get("name")}
    values["message"] = page.find("textarea", attrs={"name": "message"}).get_text().strip()
    return values


def test_with_enhancement_the_identity_prefills_the_form_but_never_the_message(client):
    decide(client, "custom", purposes=("enhancement",))
    response = send_contact(client)
    assert "koki_prefs" in set_cookies(response)
    values = form_values(client)
    assert values["first_name"] == "Ada" and values["email"] == "ada@example.org"
    # Stored in E.164, shown as a French reader writes it.
    assert values["company"] == VALID["company"] and values["phone"] == "06 12 34 56 78"
    assert values["message"] == ""


def test_without_enhancement_nothing_is_remembered(client):
    decide(client, "custom", purposes=("statistics", "requests"))
    response = send_contact(client)
    assert "koki_prefs" not in set_cookies(response)
    assert form_values(client)["first_name"] == ""


def test_without_any_decision_neither_cookie_is_set(client):
    response = send_contact(client)
    assert not {"koki_prefs", "koki_requests"} & set(set_cookies(response))


def test_withdrawing_enhancement_stops_the_prefill_and_expires_the_cookie(client):
    decide(client, "accept_all")
    send_contact(client)
    response = decide(client, "custom", purposes=("requests",), source="settings")
    assert "Max-Age=0" in set_cookies(response)["koki_prefs"]
    client.set_cookie("koki_prefs", "kept-by-a-stubborn-browser")
    assert form_values(client)["first_name"] == ""


def test_a_forged_prefs_cookie_is_ignored(client):
    decide(client, "accept_all")
    client.set_cookie("koki_prefs", "eyJmaXJzdF9uYW1lIjoiRXZlIn0.forged.signature")
    assert form_values(client)["first_name"] == ""


def test_with_requests_my_requests_shows_each_reference_and_status(client):
    decide(client, "custom", purposes=("requests",))
    first = reference_of(send_contact(client))
    second = reference_of(send_contact(client, lang="fr"))
    page = soup(client.get("/en/my-requests"))
    rows = {
        row.th.get_text(strip=True): row.find_all("td")[1].get_text(strip=True) for row in page.tbody("tr")
    }
    assert rows == {first: "Received", second: "Received"}
    assert "reçu" in visible_text(client.get("/fr/my-requests"))


def test_without_requests_no_reference_is_kept_and_the_page_says_why(client):
    decide(client, "custom", purposes=("enhancement",))
    response = send_contact(client)
    assert "koki_requests" not in set_cookies(response)
    page = soup(client.get("/en/my-requests"))
    assert page.find("table") is None
    assert page.find("a", href="/en/cookies#settings")
