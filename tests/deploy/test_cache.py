"""nginx's cache of the pages for visitors who send no cookie, with deploy/'s site file in front
of gunicorn on loopback: what nginx answers itself, what always reaches the app, gzip.

One gunicorn worker, so its access log is in the order of the requests: what it does not list
was answered by nginx.
"""

import gzip
import os
import shutil

import pytest

from tests.conftest import free_port
from tests.helpers.deploy import (
    HOST,
    NGINX,
    Gunicorn,
    Nginx,
    app_environment,
    header_values,
    https,
    make_certificate,
    production_settings,
    wait_until,
)

pytestmark = pytest.mark.db
GZIP = {"Accept-Encoding": "gzip"}
A_COOKIE = {"Cookie": "koki_consent=anything"}


class Site:
    def __init__(self, gunicorn, nginx, cert):
        self.gunicorn, self.nginx, self.cert = gunicorn, nginx, cert

    def get(self, path, method="GET", **headers):
        """(status, headers, body) of a request through nginx."""
        return https(self.nginx.https_port, method, path, headers=headers, cafile=self.cert)

    def app_saw(self, path):
        """How many requests for path reached the app, once every earlier one is in its log."""
        marks = self.gunicorn.log().count('"GET /healthz ')
        assert self.get("/healthz")[0] == 200  # never kept: the app answers it
        wait_until(lambda: self.gunicorn.log().count('"GET /healthz ') > marks, 10, "the access log")
        return self.gunicorn.log().count(f'"GET {path} ')


@pytest.fixture(scope="module")
def site(migrated_database, tmp_path_factory):
    if not os.access(NGINX, os.X_OK):
        pytest.skip(f"nginx is not installed ({NGINX}) and could not be: .ci/run installs nginx-light")
    tmp = tmp_path_factory.mktemp("cached")
    url = migrated_database
    if url.startswith("sqlite"):  # a database of this module's own
        shutil.copy(url.removeprefix("sqlite:///"), tmp / "koki.db")
        url = f"sqlite:///{tmp / 'koki.db'}"
    https_port, http_port = free_port(), free_port()
    cert, key = make_certificate(tmp)
    env = app_environment(url, **production_settings(f"https://{HOST}:{https_port}"), RATELIMIT_ENABLED=False)
    gunicorn = Gunicorn(env, tmp / "gunicorn.log", workers=1).wait_ready()
    try:
        nginx = Nginx(tmp, https_port, http_port, gunicorn.port, cert, key)
    except BaseException:
        gunicorn.stop()
        raise
    yield Site(gunicorn, nginx, cert)
    nginx.stop()
    gunicorn.stop()


def test_a_cookieless_page_is_answered_by_nginx_the_second_time(site):
    first = site.get("/en/about")
    again = site.get("/en/about")
    assert first[0] == again[0] == 200 and again[2] == first[2]
    assert header_values(again[1], "ETag") == header_values(first[1], "ETag")
    assert header_values(again[1], "Cache-Control") == ["public, no-cache"]
    assert header_values(again[1], "X-Accel-Expires") == []  # nginx's alone
    (etag,) = header_values(first[1], "ETag")
    assert site.get("/en/about", **{"If-None-Match": etag})[0] == 304
    assert site.app_saw("/en/about") == 1


def test_a_request_with_a_cookie_always_reaches_the_app(site):
    assert site.get("/fr/about")[0] == 200  # kept
    for _ in range(2):
        status, headers, _ = site.get("/fr/about", **A_COOKIE, **GZIP)
        assert status == 200 and header_values(headers, "Content-Encoding") == []
    assert site.app_saw("/fr/about") == 3


@pytest.mark.parametrize(("path", "headers"), [("/fr/legal", {}), ("/fr/legal", {"Sec-GPC": "1"})])
def test_a_head_first_leaves_nginx_the_whole_page(site, path, headers):
    """HEAD then GET on a page nginx does not hold yet: the GETs get the whole page, from nginx."""
    before = site.app_saw(path)
    status, head_headers, body = site.get(path, "HEAD", **headers)
    assert status == 200 and body == b""
    for _ in range(2):
        status, page_headers, page = site.get(path, **headers)
        assert status == 200 and page.rstrip().endswith(b"</html>")
        assert header_values(page_headers, "Content-Length") == [str(len(page))]
    assert header_values(head_headers, "Content-Length") == [str(len(page))]
    assert site.app_saw(path) == before + 1  # the HEAD, sent on as a GET, filled it


def test_the_gpc_signal_has_its_own_page(site):
    plain, gpc = site.get("/en/privacy")[2], site.get("/en/privacy", **{"Sec-GPC": "1"})[2]
    assert plain != gpc
    assert site.get("/en/privacy")[2] == plain
    assert site.get("/en/privacy", **{"Sec-GPC": "1"})[2] == gpc
    assert site.app_saw("/en/privacy") == 2


def test_an_answer_that_sets_a_cookie_or_says_no_store_is_never_shared(site):
    # The contact form's page draws a session for its CSRF token: each visitor their own.
    sessions = set()
    for _ in range(2):
        status, headers, _ = site.get("/en/contact")
        assert status == 200
        sessions |= {value for value in header_values(headers, "Set-Cookie") if value.startswith("session=")}
    assert len(sessions) == 2
    assert site.app_saw("/en/contact") == 2
    # A page of the visitor's own data says no-store.
    for _ in range(2):
        status, headers, _ = site.get("/en/my-requests")
        assert status == 200 and header_values(headers, "Cache-Control") == ["no-store"]
    assert site.app_saw("/en/my-requests") == 2


def test_a_cookieless_page_is_sent_compressed(site):
    plain = site.get("/en/product")[2]
    status, headers, body = site.get("/en/product", **GZIP)
    assert status == 200 and header_values(headers, "Content-Encoding") == ["gzip"]
    assert gzip.decompress(body) == plain
    vary = {name.strip() for value in header_values(headers, "Vary") for name in value.split(",")}
    assert "Accept-Encoding" in vary
    # With a cookie, never: BREACH (deploy/nginx/koki-site.conf).
    status, headers, body = site.get("/en/product", **A_COOKIE, **GZIP)
    assert status == 200 and header_values(headers, "Content-Encoding") == [] and body == plain
