"""The public pages rendered once per process, then served from memory with the same headers; ETag
and 304."""

import pytest
from flask import template_rendered

from koki_site.statistics import counting
from tests.helpers import LANGS, PAGES
from tests.helpers.consent import decide

pytestmark = pytest.mark.db
PER_REQUEST = {"Date", "Set-Cookie"}


@pytest.fixture
def rendered(app):
    """The paths whose page was rendered (one from memory renders no template)."""
    seen = []

    def record(sender, template, context, **extra):
        from flask import request

        if not template.name.startswith("email/"):
            seen.append(request.path)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


def comparable(response):
    return response.status, sorted((k, v) for k, v in response.headers if k not in PER_REQUEST), response.data


@pytest.mark.parametrize("path", [f"/{lang}{page}" for lang in LANGS for page in PAGES])
@pytest.mark.parametrize("choice", [None, "reject_all", "accept_all"])
def test_the_second_answer_is_not_rendered_and_is_the_same_to_the_byte(client, rendered, path, choice):
    if choice:
        decide(client, choice)
        client.get(path)  # a consenting visitor gets their statistics cookie first
    first = client.get(path)
    rendered.clear()
    again = client.get(path)
    if choice and path.endswith("/cookies"):  # the settings show the visitor's own choice: never kept
        assert rendered == [path]
        return
    assert rendered == []  # served from memory
    assert comparable(again) == comparable(first)
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert {"Cookie", "Sec-GPC"} <= {v.strip() for v in first.headers["Vary"].split(",")}


def test_a_strong_etag_and_304_on_revalidation(client, rendered):
    first = client.get("/fr/privacy")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    revalidated = client.get("/fr/privacy", headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.data == b""
    assert revalidated.headers["ETag"] == etag and "Content-Length" not in revalidated.headers
    assert "Content-Type" not in revalidated.headers
    assert revalidated.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert revalidated.headers["Vary"] == first.headers["Vary"]
    assert rendered == ["/fr/privacy"]  # the 304 came from memory
    other = client.get("/en/legal", headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200


def test_head_is_answered_from_memory_without_a_body(client, rendered):
    client.get("/en/")
    rendered.clear()
    head = client.head("/en/")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]
    assert rendered == []


@pytest.mark.parametrize("app_settings", [{"STATS_FLUSH_SECONDS": 60}])
def test_a_consenting_visitor_served_from_memory_is_counted(app, client, rendered):
    decide(client, "accept_all")
    client.get("/en/legal")  # the statistics cookie is set
    client.get("/en/legal")
    rendered.clear()
    client.get("/en/legal")
    etag = client.get("/en/legal").headers["ETag"]
    assert client.get("/en/legal", headers={"If-None-Match": etag}).status_code == 304
    assert rendered == []
    assert counting.flush(app) == 5  # the 304 too: the browser shows the page it kept


@pytest.mark.parametrize("app_settings", [{"TRUSTED_HOSTS": ["localhost"]}])
def test_the_cache_still_refuses_another_host(client):
    assert client.get("/en/").status_code == 200
    assert client.get("/en/", headers={"Host": "evil.example"}).status_code == 400


def test_a_signed_cookie_checked_once_still_expires(app, monkeypatch):
    """The check of a signed value is remembered until it would expire, not a second longer."""
    import time

    from koki_site.core import consent_cookie, cookies

    with app.test_request_context():
        value = consent_cookie.dump(consent_cookie.decide("accept_all"))
        assert consent_cookie.load(value) is not None  # checked, and remembered
        lifetime = cookies.consent_lifetime().days * 86400
        later = time.time() + lifetime + 1
        monkeypatch.setattr(time, "time", lambda: later)
        assert consent_cookie.load(value) is None


@pytest.mark.parametrize("path", ["/fr/", "/en/privacy", "/fr/cookies"])
@pytest.mark.parametrize(
    ("choice", "headers"),
    [(None, {}), (None, {"Sec-GPC": "1"}), ("reject_all", {}), ("accept_all", {}), ("custom", {})],
)
def test_a_head_first_never_leaves_a_truncated_page(app, client, path, choice, headers):
    """On a cold process, HEAD then GET: the GET gets the whole page, and so does the next."""
    if choice:
        decide(client, choice, purposes=("enhancement",) if choice == "custom" else ())
        client.get("/en/legal")  # a consenting visitor gets their statistics cookie first
    head = client.head(path, headers=headers)
    assert head.status_code == 200 and head.data == b""
    for _ in range(2):
        page = client.get(path, headers=headers)
        assert page.status_code == 200
        assert int(page.headers["Content-Length"]) == len(page.data)
        assert page.data.rstrip().endswith(b"</html>")
    assert client.head(path, headers=headers).headers["Content-Length"] == page.headers["Content-Length"]


def test_nginx_may_keep_a_page_a_minute_when_its_query_is_one_the_page_reads(client):
    headers = [name for name, _ in client.get("/en/privacy").headers]
    # nginx 1.22 reads X-Accel-Expires only before a Cache-Control that says no-cache.
    assert headers.index("X-Accel-Expires") < headers.index("Cache-Control")
    assert client.get("/en/privacy").headers["X-Accel-Expires"] == "60"
    assert "X-Accel-Expires" not in client.get("/en/privacy?utm_source=x").headers
    decide(client, "custom", purposes=("enhancement",))
    assert "X-Accel-Expires" not in client.get("/en/cookies").headers  # the visitor's own
