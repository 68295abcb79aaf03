"""The site as deployed: nginx with deploy/'s site file and a certificate made here, in front of
gunicorn with deploy/gunicorn.conf.py, on loopback; Chromium and plain requests over HTTPS.

nginx is Debian's (.ci/run installs nginx-light when it is missing). Rate limits are kept in Redis
as in production when it runs on 127.0.0.1:6379; without it, in one gunicorn worker's memory.
"""

import json
import os
import re
import secrets
import shutil
import time
from urllib.parse import urlencode, urlparse

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import expect
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from koki_site import create_app
from koki_site.core.errors import RETRY_AFTER_SECONDS
from koki_site.core.security import HSTS
from koki_site.extensions import db
from tests.browser.test_consent_banner import accept_all_in_banner
from tests.conftest import free_port, settings
from tests.core.test_rate_limits import redis_available
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS
from tests.helpers.deploy import (
    HOST,
    NGINX,
    ROOT,
    Gunicorn,
    Nginx,
    app_environment,
    curl,
    forget_limits,
    header_values,
    https,
    make_certificate,
    plain_http,
    production_settings,
    wait_until,
)
from tests.helpers.staff import STAFF_PASSWORD, add_account

pytestmark = [pytest.mark.browser, pytest.mark.db]
CONSENT_LIMIT = 3  # an hour's window: no test here crosses into the next one
STATIC_CACHE = "public, max-age=31536000, immutable"
# A consent decision as the banner posts it, from a page of the site.
DECISION = urlencode({"choice": "reject_all", "lang": "en", "source": "banner", "next": "/en/"})
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}


class Site:
    def __init__(self, app, gunicorn, nginx, cert, prometheus):
        self.app, self.gunicorn, self.nginx, self.cert = app, gunicorn, nginx, cert
        self.prometheus = prometheus  # gunicorn's PROMETHEUS_MULTIPROC_DIR
        self.url = f"https://{HOST}:{nginx.https_port}"

    def https(self, method, path, **options):
        """A request through nginx, checking its certificate against the test's own."""
        return https(self.nginx.https_port, method, path, cafile=self.cert, **options)


@pytest.fixture(scope="module")
def site(migrated_database, tmp_path_factory):
    if not os.access(NGINX, os.X_OK):
        pytest.skip(f"nginx is not installed ({NGINX}) and could not be: .ci/run installs nginx-light")
    tmp = tmp_path_factory.mktemp("deployed")
    url = migrated_database
    if url.startswith("sqlite"):  # a database of this module's own
        shutil.copy(url.removeprefix("sqlite:///"), tmp / "koki.db")
        url = f"sqlite:///{tmp / 'koki.db'}"
    app = create_app(settings(url), instance_path=tmp / "instance")
    https_port, http_port = free_port(), free_port()
    cert, key = make_certificate(tmp)
    shared = redis_available()
    prefix = f"koki-test-deploy-{secrets.token_hex(4)}"
    env = app_environment(
        url,
        **production_settings(f"https://{HOST}:{https_port}"),
        CONSENT_RATE_LIMIT=f"{CONSENT_LIMIT} per hour",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379" if shared else "memory://",
        RATELIMIT_KEY_PREFIX=prefix,
    )
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp / "prometheus")  # as koki-site.service sets it
    started = []
    try:
        gunicorn = Gunicorn(env, tmp / "gunicorn.log", workers=2 if shared else 1)
        started.append(gunicorn)
        gunicorn.wait_ready()
        started.append(Nginx(tmp, https_port, http_port, gunicorn.port, cert, key))
        yield Site(app, gunicorn, started[-1], cert, tmp / "prometheus")
    finally:
        for process in reversed(started):
            process.stop()
        forget(app, prefix if shared else None)


def forget(app, redis_prefix):
    """Nothing of this module left in the shared database or in Redis."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(table.name for table in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()
    if redis_prefix:
        forget_limits(redis_prefix)


@pytest.fixture(scope="module")
def browser(chromium):
    """Chromium that finds the site's name on loopback, as DNS would find it on the host."""
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"]
    browser = chromium.browser_type.launch(executable_path=CHROMIUM, args=args)
    yield browser
    browser.close()


def cookie(context, name):
    found = [c for c in context.cookies() if c["name"] == name]
    assert len(found) == 1, f"{name} not set: {[c['name'] for c in context.cookies()]}"
    return found[0]


def test_a_visitor_and_a_staff_member_over_https(site, browser):
    context = browser.new_context(ignore_https_errors=True)  # the certificate is the test's own
    page = context.new_page()
    answers = []
    page.on("response", lambda answer: answers.append(answer))

    assert page.goto(f"{site.url}/en/privacy").status == 200
    assert page.evaluate("performance.getEntriesByType('navigation')[0].nextHopProtocol") == "h2"

    # The visitor's decision: koki_consent is Secure, as every cookie of the site.
    accept_all_in_banner(page)
    consent = cookie(context, "koki_consent")
    assert (consent["secure"], consent["httpOnly"], consent["sameSite"], consent["path"]) == (
        True,
        True,
        "Lax",
        "/",
    )
    assert 394.9 < (consent["expires"] - time.time()) / 86400 <= 395  # 13 months

    # A staff member searches the inbox for an address; the session cookie is Secure.
    add_account(site.app, "support@koki.test", "support")
    page.goto(f"{site.url}/staff/messages?q=ada@example.org")
    page.get_by_label("Email").fill("support@koki.test")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(re.escape(f"{site.url}/staff/messages?q=ada")))
    session = cookie(context, "session")
    assert (session["secure"], session["httpOnly"], session["sameSite"]) == (True, True, "Lax")
    assert [c["name"] for c in context.cookies() if not c["secure"]] == []

    # HSTS on every answer, once: the app's (it sees https through X-Forwarded-Proto), nginx's
    # on what nginx serves.
    assert len(answers) > 5
    for answer in answers:
        headers = [(h["name"], h["value"]) for h in answer.headers_array()]
        assert header_values(headers, "Strict-Transport-Security") == [HSTS], answer.url

    # /static/ from nginx, kept a year under a name that holds the file's hash; CSS gzipped.
    static = [answer for answer in answers if urlparse(answer.url).path.startswith("/static/")]
    plain = {re.sub(r"\.[0-9a-f]{12}\.", ".", urlparse(a.url).path) for a in static}
    assert plain >= {"/static/css/site.css", "/static/css/staff.css"}
    for answer in static:
        assert answer.status == 200 and re.search(r"\.[0-9a-f]{12}\.\w+$", answer.url), answer.url
        assert answer.headers["cache-control"] == STATIC_CACHE, answer.url
    assert {a.headers.get("content-encoding") for a in static if a.url.endswith(".css")} == {"gzip"}

    # A page asked with a cookie is never compressed (BREACH: a CSRF token beside what a visitor
    # typed); the first one, asked without, is (nginx keeps it: tests/deploy/test_cache.py).
    pages = [a for a in answers if a.headers.get("content-type", "").startswith("text/html")]
    with_cookie = [a for a in pages if "cookie" in a.request.all_headers()]
    assert with_cookie and [a.url for a in with_cookie if "content-encoding" in a.headers] == []
    assert pages[0].headers.get("content-encoding") == "gzip"

    # gunicorn's access log: the pages, never /static/ (nginx served it), never a query string.
    wait_until(lambda: "GET /staff/messages " in site.gunicorn.log(), 10, "the access log line")
    log = site.gunicorn.log()
    assert "GET /en/privacy " in log and "POST /consent " in log
    assert "/static/" not in log
    assert "ada@example.org" not in log and "ada%40example.org" not in log and "?q=" not in log

    # Another host than TRUSTED_HOSTS: the site's 400 page.
    answer = page.goto(f"https://127.0.0.1:{site.nginx.https_port}/en/")
    assert answer.status == 400
    expect(page.locator("h1")).to_be_visible()
    context.close()


def test_the_client_address_is_the_one_nginx_saw(site):
    # Each POST claims another client in X-Forwarded-For; nginx replaces it with the address it
    # saw (127.0.0.1), so the limit holds: the last one is refused.
    statuses = []
    for number in range(1, CONSENT_LIMIT + 2):
        forged = {**FORM, "X-Forwarded-For": f"198.51.100.{number}"}
        statuses.append(site.https("POST", "/consent", headers=forged, body=DECISION)[0])
    assert statuses[-1] == 429, statuses
    assert set(statuses) <= {303, 429}, statuses

    # The app does take the client from X-Forwarded-For, the header its one proxy sets (straight
    # to gunicorn here): a new address is another client; without the header, the peer's address
    # (127.0.0.1) is the client, and it is the one the limit counted.
    upstream = site.gunicorn.port
    forwarded = {**FORM, "X-Forwarded-For": "198.51.100.200"}
    assert plain_http(upstream, "POST", "/consent", headers=forwarded, body=DECISION)[0] == 303
    assert plain_http(upstream, "POST", "/consent", headers=FORM, body=DECISION)[0] == 429


def test_hosts_schemes_and_bodies_at_the_proxy(site):
    status, _, body = site.https("GET", "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok"})

    # Another host: the app's 400 page, which does not repeat it; a forwarded host changes nothing.
    status, _, body = site.https("GET", "/en/", host="evil.example")
    assert status == 400 and b"evil.example" not in body
    status, _, body = site.https("GET", "/en/", headers={"X-Forwarded-Host": "evil.example"})
    canonical = BeautifulSoup(body, "html.parser").find("link", rel="canonical")["href"]
    assert status == 200 and canonical == f"{site.url}/en/"

    # Plain HTTP is sent to HTTPS, to the site's one name.
    status, headers, _ = plain_http(site.nginx.http_port, "GET", "/en/privacy?x=1")
    assert status == 301
    assert header_values(headers, "Location") == ["https://www.koki-software.fr/en/privacy?x=1"]

    # nginx's body limit is the app's MAX_CONTENT_LENGTH, to the byte. nginx refuses it (gunicorn
    # never reads it) with the site's page in the visitor's language, which gunicorn wrote.
    limit = site.app.config["MAX_CONTENT_LENGTH"]
    too_large = b"x" * (limit + 1)
    assert site.https("POST", "/consent", headers=FORM, body=too_large)[:3:2] == (
        413,
        outage_page("too-large.fr"),
    )
    english = {**FORM, "Accept-Language": "en-GB,en;q=0.9"}
    assert site.https("POST", "/consent", headers=english, body=too_large)[:3:2] == (
        413,
        outage_page("too-large.en"),
    )
    assert site.https("POST", "/en/contact", headers=FORM, body=too_large)[:3:2] == (
        413,
        outage_page("too-large.en"),
    )
    assert site.https("POST", "/consent", headers=FORM, body=b"x" * limit)[0] != 413
    # Only nginx's 503 says when to come back: not its 413, nor a static file.
    assert header_values(site.https("POST", "/consent", headers=FORM, body=too_large)[1], "Retry-After") == []
    page_headers = site.https("GET", "/static/errors/too-large.fr.html")[1]
    assert header_values(page_headers, "Retry-After") == []
    assert header_values(page_headers, "Cache-Control") == ["public, max-age=3600"]  # as all of /static/


def test_nginx_serves_the_icon_at_the_root_as_a_static_file(site):
    status, headers, body = site.https("GET", "/favicon.ico")
    assert status == 200 and body[:4] == b"\x00\x00\x01\x00"
    assert body == (ROOT / "static" / "img" / "favicon.ico").read_bytes()
    assert header_values(headers, "Content-Type") == ["image/x-icon"]
    assert header_values(headers, "Cache-Control") == ["public, max-age=3600"]  # a plain name's hour
    assert header_values(headers, "Strict-Transport-Security") == [HSTS]
    assert header_values(headers, "X-Content-Type-Options") == ["nosniff"]
    assert "GET /favicon.ico " not in site.gunicorn.log()  # nginx answered


def test_metrics_are_read_on_the_host_straight_from_gunicorn_never_through_nginx(site):
    for path in ("/metrics", "/metrics?x=1", "//metrics", "/%6Detrics"):
        status, headers, body = site.https("GET", path)
        assert status == 404 and b"koki_" not in body, path
        assert header_values(headers, "Strict-Transport-Security") == [HSTS]
    # A scraper on the host names the address it connects to, which TRUSTED_HOSTS does not list;
    # it reads the counts of every gunicorn worker, which each wrote to PROMETHEUS_MULTIPROC_DIR.
    for _ in range(3):
        assert plain_http(site.gunicorn.port, "GET", "/robots.txt")[0] == 200
    status, _, body = plain_http(
        site.gunicorn.port, "GET", "/metrics", host=f"127.0.0.1:{site.gunicorn.port}"
    )
    assert status == 200
    samples = {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    assert samples["koki_http_responses_total", ("200",)] >= 3
    assert samples["koki_database_up", ()] == 1
    assert list(site.prometheus.glob("counter_*.db"))  # the multi-process mode, under gunicorn


def test_a_body_too_large_over_http2_gets_the_site_s_page(site):
    # Browsers speak HTTP/2 to the site: nginx refuses the body there too with the site's page.
    too_large = b"x" * (site.app.config["MAX_CONTENT_LENGTH"] + 1)
    for languages, page in {"": "too-large.fr", "en-GB,en;q=0.9": "too-large.en"}.items():
        headers = {**FORM, "Accept-Language": languages}
        for version, spoken in (("--http2", "2"), ("--http1.1", "1.1")):
            answer = curl(site.nginx.https_port, "POST", "/consent", site.cert, version, headers, too_large)
            assert answer == (413, spoken, outage_page(page)), (version, answer[2][:300])


def outage_page(name):
    """A page gunicorn's workers wrote for nginx (koki_site/core/outage_pages.py), as nginx sends it."""
    return (ROOT / "instance" / "static-build" / "errors" / f"{name}.html").read_bytes()


def test_nginx_shows_the_site_s_page_while_gunicorn_is_down(site, browser, tmp_path):
    # The same site file in front of a port where nothing listens: gunicorn stopped, restarting.
    cert, key = make_certificate(tmp_path)
    down = Nginx(tmp_path, free_port(), free_port(), free_port(), cert, key)
    try:
        asked = {
            "/fr/": ("", "unavailable.fr"),
            "/en/privacy": ("fr-FR,fr;q=0.9", "unavailable.en"),  # the prefix wins
            "/staff/": ("en-US,en;q=0.9", "unavailable.en"),
            "/": ("fr-FR,en;q=0.5", "unavailable.fr"),
            "/healthz": ("", "unavailable.fr"),  # French when nothing says otherwise
        }
        for path, (languages, page) in asked.items():
            languages = {"Accept-Language": languages}
            status, headers, body = https(down.https_port, "GET", path, headers=languages, cafile=cert)
            assert (status, body) == (503, outage_page(page)), path
            assert header_values(headers, "Strict-Transport-Security") == [HSTS]
            assert header_values(headers, "Cache-Control") == []  # not kept: the site is back soon
            assert header_values(headers, "Retry-After") == [str(RETRY_AFTER_SECONDS)]  # as the app says

        # In a browser: the site's look (its stylesheet, served by nginx alone) and its words.
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        styles = []
        page.on("response", lambda answer: styles.append(answer) if answer.url.endswith(".css") else None)
        assert page.goto(f"https://{HOST}:{down.https_port}/fr/contact").status == 503
        expect(page.locator("h1")).to_have_text("Service indisponible")
        expect(page.get_by_role("link", name="Retour à la page d’accueil")).to_have_attribute("href", "/fr/")
        assert [answer.status for answer in styles] == [200]
        context.close()
    finally:
        down.stop()


def test_a_worker_that_cannot_write_the_pages_still_serves(migrated_database, tmp_path):
    build = tmp_path / "static-build"
    build.mkdir()
    (build / "errors").write_text("a file where the folder should be")  # every write fails
    env = app_environment(migrated_database, STATIC_BUILD_DIR=build)
    gunicorn = Gunicorn(env, tmp_path / "gunicorn.log").wait_ready()
    try:
        assert plain_http(gunicorn.port, "GET", "/fr/legal")[0] == 200
        assert "the outage pages were not written" in gunicorn.log()
    finally:
        gunicorn.stop()
