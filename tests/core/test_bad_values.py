"""Bad values are 400, never 500: NUL bytes, huge page numbers, far dates; HEAD answers like GET."""

import re

import pytest
from sqlalchemy import select

from koki_site.extensions import db
from koki_site.newsletter.models import Subscription
from tests.helpers import soup
from tests.helpers.newsletter import links, subscribe

pytestmark = pytest.mark.db
STAFF_LISTS = ("/staff/messages", "/staff/newsletter", "/staff/rights", "/staff/audit")


@pytest.fixture
def app_settings():
    return {"PROPAGATE_EXCEPTIONS": False}  # a 500 shows as a 500 here, not as an exception


@pytest.fixture
def everyone(staff):
    return staff("support", "marketing", "dpo", "admin")


@pytest.mark.parametrize(
    "path",
    [
        "/staff/messages?q=%00",
        "/staff/newsletter?q=%00",
        "/staff/audit?actor=%00",
        "/staff/audit?action=%00",
        "/staff/messages?status=new%00",
        "/en/contact?topic=%00",
    ],
)
def test_a_nul_in_the_query_is_a_400_page(everyone, path):
    response = everyone.get(path)
    assert response.status_code == 400
    assert soup(response).h1.get_text(strip=True) == "Bad request"


@pytest.mark.parametrize(
    ("path", "fields", "field", "status"),
    [
        ("/staff/login", {"email": "ada\0@koki.test", "password": "x"}, "email", 200),  # as a wrong login
        ("/en/newsletter", {"email": "ada\0@example.org"}, "email", 400),
        ("/en/rights", {"right": "access", "email": "ada@example.org", "details": "a\0b"}, "details", 400),
    ],
)
def test_a_nul_in_a_form_gets_the_form_again_with_a_message_on_the_field(client, path, fields, field, status):
    """What was typed comes back (the contact form's own test covers it there too)."""
    token = soup(client.get(path)).find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post(path, data={**fields, "csrf_token": token}, headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert soup(response).find(id=field)["aria-invalid"] == "true"


@pytest.mark.parametrize("path", STAFF_LISTS)
@pytest.mark.parametrize("page", ["99999999999999999999", "-5", "x"])
def test_any_page_number_gives_a_page(everyone, path, page):
    assert everyone.get(f"{path}?page={page}").status_code == 200


@pytest.mark.parametrize("query", ["since=9999-12-31", "until=9999-12-31", "since=0001-01-01"])
def test_a_far_date_in_the_audit_filters_is_an_error_on_the_form_not_a_500(everyone, query):
    response = everyone.get(f"/staff/audit?{query}")
    assert response.status_code == 200
    assert "between the years 2000 and 2999" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/en/contact", "/fr/newsletter", "/en/rights", "/staff/login", "/en/"])
def test_head_on_a_page_answers_like_its_get(client, path):
    head, get = client.head(path), client.get(path)
    assert head.status_code == get.status_code == 200
    assert head.headers["Content-Type"] == get.headers["Content-Type"] and head.data == b""


def test_head_on_the_newsletter_links_changes_nothing(app, client, smtp):
    """A mail scanner may send HEAD: only a POST confirms or unsubscribes."""
    subscribe(client, "ada@example.org")
    found = links(smtp.wait_for(1)[0])
    assert client.head(found["confirm"]).status_code == 200
    assert client.head(found["unsubscribe"]).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Subscription.status)) == "pending"


TOO_LARGE = 2**31  # one past what an INTEGER id column holds (PostgreSQL would refuse the query)
ID_ROUTES = [
    ("get", "/staff/messages/{}"),
    ("post", "/staff/messages/{}/reply"),
    ("post", "/staff/messages/{}/note"),
    ("post", "/staff/messages/{}/status"),
    ("post", "/staff/messages/{}/assign"),
    ("post", "/staff/messages/{}/unread"),
    ("post", "/staff/messages/{}/compose"),
    ("get", "/staff/messages/saved-replies/{}"),
    ("post", "/staff/messages/saved-replies/{}/delete"),
    ("get", "/staff/rights/{}"),
    ("post", "/staff/rights/{}/answer"),
    ("post", "/staff/rights/{}/refuse"),
    ("post", "/staff/rights/{}/extend"),
    ("post", "/staff/rights/{}/lift"),
    ("get", "/staff/newsletter/{}"),
    ("post", "/staff/accounts/{}/roles"),
    ("post", "/staff/accounts/{}/disable"),
]


@pytest.mark.parametrize(("method", "route"), ID_ROUTES)
@pytest.mark.parametrize("number", [TOO_LARGE, 99999999999, 0])
def test_an_id_no_table_can_hold_is_a_404_page(everyone, method, route, number):
    response = getattr(everyone, method)(route.format(number))
    assert response.status_code == 404
    assert soup(response).h1.get_text(strip=True) == "Page not found"


@pytest.mark.parametrize("name", ["before", "after"])
@pytest.mark.parametrize("number", [TOO_LARGE, -1, 10**30])
def test_an_inbox_position_no_message_can_have_starts_the_list_from_the_newest(everyone, name, number):
    response = everyone.get(f"/staff/messages?{name}={number}")
    assert response.status_code == 200
    assert without_csrf(response) == without_csrf(everyone.get("/staff/messages"))


def without_csrf(response):
    """The page without its CSRF tokens, which carry the second they were signed in."""
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*', r"\1", response.get_data(as_text=True))


@pytest.mark.parametrize("since", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_a_far_date_in_the_export_is_a_400_that_says_so(everyone, since):
    response = everyone.get(f"/staff/newsletter/export.csv?since={since}")
    assert response.status_code == 400
    assert "a date between the years 2000 and 2999" in soup(response).get_text()
    french = everyone.get(f"/staff/newsletter/export.csv?since={since}", headers={"Accept-Language": "fr"})
    assert "une date comprise entre les années 2000 et 2999" in soup(french).get_text()


def test_the_export_cli_refuses_a_far_date_in_words(runner, tmp_path):
    result = runner.invoke(
        args=["newsletter", "export", "-o", str(tmp_path / "out.csv"), "--since", "0001-01-01"]
    )
    assert result.exit_code != 0
    assert "since must be between the years 2000 and 2999" in result.output
