"""Headers on every response, no inline code, nothing from another site, no cookie on a GET."""

import json
from urllib.parse import urlparse

import pytest

from tests.conftest import SITE_URL
from tests.helpers import LANGS, PAGES, soup

EVERY_KIND_OF_RESPONSE = [f"/{lang}{path}" for lang in LANGS for path in PAGES] + [
    "/",
    "/healthz",
    "/metrics",
    "/robots.txt",
    "/static/css/site.css",
    "/favicon.ico",
    "/en/no-such-page",
    "/xx/privacy",
]


@pytest.mark.parametrize("path", EVERY_KIND_OF_RESPONSE)
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:  # closes the static file
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP: HSTS would be ignored


def test_hsts_over_https(client):
    response = client.get("/en/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("path", [f"/{lang}{path}" for lang in LANGS for path in PAGES] + ["/xx/"])
def test_no_inline_script_or_style_and_nothing_from_another_site(client, path):
    page = soup(client.get(path))
    assert page.find("style") is None
    assert page.find(style=True) is None
    for script in page.find_all("script"):
        if script.get("type") == "application/ld+json":  # data (the home's JSON-LD), never run
            assert json.loads(script.string) and "</" not in script.string
            continue
        assert script.get("src") and not script.string
    assert not [tag for tag in page.find_all(True) if any(a.startswith("on") for a in tag.attrs)]
    for tag in page.find_all(["link", "script", "img", "iframe", "source"]):
        url = tag.get("src") or tag.get("href")
        if tag.name == "link" and set(tag.get("rel", [])) & {"alternate", "canonical"}:
            assert url.startswith(f"{SITE_URL}/")  # the configured address, absolute on purpose
        elif url:
            assert not urlparse(url).netloc, url


@pytest.mark.parametrize(
    "path", [f"/{lang}{path}" for lang in LANGS for path in PAGES] + ["/", "/en/nope", "/metrics"]
)
def test_a_plain_get_sets_no_cookie(client, path):
    response = client.get(path)
    assert "Set-Cookie" not in response.headers


def test_a_too_large_body_gets_413_in_the_visitors_language(app, client):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = client.post("/fr/privacy", data={"message": "x" * size})
    assert response.status_code == 413
    assert soup(response).html["lang"] == "fr"
    assert "trop volumineu" in soup(response).h1.get_text().lower()


def test_a_too_large_body_gets_413_at_any_address(client, app):
    response = client.post(
        "/nowhere", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1), headers={"Accept-Language": "en"}
    )
    assert response.status_code == 413
    assert soup(response).h1.get_text(strip=True) == "Request too large"


@pytest.fixture
def app_with_session_route(app):
    @app.get("/test-session")
    def set_session():
        from flask import session

        session["probe"] = 1
        return "ok"

    return app


def test_session_cookie_attributes(app_with_session_route):
    app = app_with_session_route
    app.config["SESSION_COOKIE_SECURE"] = True
    cookie = app.test_client().get("/test-session").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie
