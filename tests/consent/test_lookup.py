"""/staff/consent?id=…: the DPO finds the history of the choice a visitor quotes."""

import pytest

from koki_site.core import consent_cookie
from tests.helpers import soup
from tests.helpers.consent import decide

pytestmark = pytest.mark.db


def consent_id(app, client):
    with app.test_request_context():
        return consent_cookie.load(client.get_cookie("koki_consent").value).consent_id


def test_the_dpo_reads_every_decision_of_one_consent_id(app, client, staff):
    decide(client, "accept_all")
    decide(client, "custom", purposes=("statistics",), source="settings")  # a change of mind
    decide(app.test_client(), "reject_all")  # another visitor's
    number = consent_id(app, client)
    page = soup(staff("dpo").get(f"/staff/consent?id={number}"))
    rows = [
        [cell.get_text(" ", strip=True) for cell in row.find_all("td")] for row in page.select("tbody tr")
    ]
    assert len(rows) == 2
    assert rows[0][1:4] == ["Accepted", "Accepted", "Accepted"] and rows[0][4] == "Banner"
    assert rows[1][1:4] == ["Accepted", "Refused", "Refused"] and rows[1][4] == "Settings page"
    assert all(len(row[-1]) == 64 for row in rows)  # the SHA-256 of the text shown


@pytest.mark.parametrize(
    ("query", "expected"), [("?id=0000", "No decision"), ("?id=<script>", "digits 0 to 9")]
)
def test_an_unknown_or_malformed_number_is_told(staff, query, expected):
    response = staff("dpo").get(f"/staff/consent{query}")
    assert response.status_code == 200 and expected in response.get_data(as_text=True)
    assert "<script>" not in response.get_data(as_text=True)


def test_only_the_dpo(client, staff):
    assert staff("support", "marketing", "admin").get("/staff/consent").status_code == 403
    assert client.get("/staff/consent").status_code == 302  # to the login page
