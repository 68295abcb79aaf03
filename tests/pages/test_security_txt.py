"""/.well-known/security.txt (RFC 9116) as a scanner reads it: its fields, from configuration."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from koki_site import create_app
from tests.conftest import SITE_URL, settings

PATH = "/.well-known/security.txt"
CONTACT = "mailto:security@koki.test"
# Half a year ahead (RFC 9116 recommends less than a year), in Paris' winter offset.
EXPIRY = (datetime.now(UTC) + timedelta(days=180)).replace(microsecond=0)
EXPIRES = EXPIRY.astimezone(timezone(timedelta(hours=1))).isoformat()
CONFIGURED = {"SECURITY_CONTACT": CONTACT, "SECURITY_TXT_EXPIRES": EXPIRES}


def fields(response):
    """{field name: [values]} of a security.txt, checking each line is one field or a comment."""
    found = {}
    for line in response.text.splitlines():
        if line and not line.startswith("#"):
            name, separator, value = line.partition(": ")
            assert separator and name and value, line
            found.setdefault(name, []).append(value)
    return found


@pytest.mark.parametrize("app_settings", [CONFIGURED])
def test_a_scanner_reads_the_contact_the_expiry_the_languages_and_the_canonical_address(client):
    response = client.get(PATH)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert fields(response) == {
        "Contact": [CONTACT],
        "Expires": [EXPIRY.strftime("%Y-%m-%dT%H:%M:%SZ")],  # the same moment, in UTC
        "Preferred-Languages": ["fr, en"],
        "Canonical": [f"{SITE_URL}/.well-known/security.txt"],
    }
    assert response.text.endswith("\n")
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("app_settings", [CONFIGURED])
def test_the_canonical_address_is_the_site_s_whatever_host_the_request_names(client):
    forged = {"X-Forwarded-Host": "evil.example", "Forwarded": "host=evil.example"}
    response = client.get(PATH, base_url="http://evil.example", headers=forged)
    assert response.status_code == 200
    assert fields(response)["Canonical"] == [f"{SITE_URL}/.well-known/security.txt"]
    assert "evil" not in response.text


@pytest.mark.parametrize(
    "app_settings", [{**CONFIGURED, "SECURITY_CONTACT": [CONTACT, "https://www.koki.test/security"]}]
)
def test_each_contact_is_a_line_of_its_own_in_the_order_given(client):
    assert fields(client.get(PATH))["Contact"] == [CONTACT, "https://www.koki.test/security"]


def test_without_a_contact_there_is_no_file(client):
    assert client.get(PATH).status_code == 404
    assert client.get("/security.txt").status_code == 404


@pytest.mark.parametrize("app_settings", [CONFIGURED])
def test_the_old_place_at_the_root_sends_scanners_on_to_the_file(client):
    response = client.get("/security.txt")
    assert response.status_code == 301 and response.headers["Location"] == PATH


@pytest.mark.parametrize("app_settings", [{**CONFIGURED, "SECURITY_TXT_EXPIRES": "2020-01-01T00:00:00Z"}])
def test_a_past_expiry_date_is_still_served_as_it_is(client):
    # Scanners then say the file is stale; the site does not hide who to write to.
    assert fields(client.get(PATH))["Expires"] == ["2020-01-01T00:00:00Z"]


def test_the_keys_can_come_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SECURITY_CONTACT", '["mailto:security@koki.test"]')
    monkeypatch.setenv("FLASK_SECURITY_TXT_EXPIRES", "2027-06-30T00:00:00+02:00")
    app = create_app(settings("sqlite://"), instance_path=tmp_path)
    assert fields(app.test_client().get(PATH))["Expires"] == ["2027-06-29T22:00:00Z"]


BAD_CONTACTS = {
    "an address without mailto:": "security@koki.test",
    "plain http": "http://www.koki.test/security",
    "mailto: without an address": "mailto:",
    "https: without a host": "https:///security",
    "another field slipped in": "mailto:security@koki.test\nContact: mailto:someone@evil.example",
    "a number": 42,
}


@pytest.mark.parametrize("contact", BAD_CONTACTS.values(), ids=BAD_CONTACTS.keys())
def test_a_bad_contact_stops_the_start_naming_the_key(tmp_path, contact):
    bad = settings("sqlite://", **{**CONFIGURED, "SECURITY_CONTACT": contact})
    with pytest.raises(RuntimeError, match="SECURITY_CONTACT") as refused:
        create_app(bad, instance_path=tmp_path)
    assert "mailto:security@koki-software.fr" in str(refused.value)  # an example to follow


def test_a_bad_entry_of_a_list_of_contacts_is_named(tmp_path):
    bad = settings("sqlite://", **{**CONFIGURED, "SECURITY_CONTACT": [CONTACT, "ftp://koki.test"]})
    with pytest.raises(RuntimeError, match="SECURITY_CONTACT entry 2 must be a mailto: or https: URI"):
        create_app(bad, instance_path=tmp_path)


BAD_DATES = {
    "not a date": "next year",
    "a date without a time": "2027-06-30",
    "no offset from UTC": "2027-06-30T00:00:00",
    "no such month": "2027-13-01T00:00:00Z",
}


@pytest.mark.parametrize("expires", BAD_DATES.values(), ids=BAD_DATES.keys())
def test_a_bad_expiry_date_stops_the_start_naming_the_key(tmp_path, expires):
    bad = settings("sqlite://", **{**CONFIGURED, "SECURITY_TXT_EXPIRES": expires})
    with pytest.raises(RuntimeError, match="SECURITY_TXT_EXPIRES must be an ISO 8601 date and time"):
        create_app(bad, instance_path=tmp_path)


def test_a_contact_without_an_expiry_date_stops_the_start(tmp_path):
    bad = settings("sqlite://", SECURITY_CONTACT=CONTACT)
    with pytest.raises(RuntimeError, match="SECURITY_TXT_EXPIRES is required with SECURITY_CONTACT"):
        create_app(bad, instance_path=tmp_path)


def test_a_bad_value_from_the_environment_stops_the_start_too(tmp_path, monkeypatch):
    monkeypatch.setenv("FLASK_SECURITY_CONTACT", "security@koki.test")
    monkeypatch.setenv("FLASK_SECURITY_TXT_EXPIRES", "2027-06-30T00:00:00Z")
    with pytest.raises(RuntimeError, match="SECURITY_CONTACT must be a mailto: or https: URI"):
        create_app(settings("sqlite://"), instance_path=tmp_path)
