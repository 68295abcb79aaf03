"""Error pages: the visitor's language (URL prefix, else Accept-Language), never a bare error."""

import pytest
from bs4 import BeautifulSoup
from flask import abort

from koki_site.core import outage_pages
from tests.helpers import soup


@pytest.mark.parametrize(
    ("path", "accept_language", "lang", "title"),
    [
        ("/en/no-such-page", None, "en", "Page not found"),
        ("/fr/no-such-page", "en", "fr", "Page introuvable"),
        ("/de/privacy", "en", "en", "Page not found"),
        ("/de/privacy", None, "fr", "Page introuvable"),
        ("/privacy", "en-US", "en", "Page not found"),
        ("/en/privacy/../../etc/passwd", None, "en", "Page not found"),
    ],
)
def test_unknown_page_or_language_gives_a_404_page_in_the_right_language(
    client, path, accept_language, lang, title
):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get(path, headers=headers)
    assert response.status_code == 404
    page = soup(response)
    assert page.html["lang"] == lang
    assert page.h1.get_text(strip=True) == title
    assert page.main.find("a", class_="button")["href"] == f"/{lang}/"  # back home, in the page


def test_a_wrong_method_gets_405_with_allow(client):
    response = client.post("/en/privacy")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert soup(response).h1.get_text(strip=True) == "Method not allowed"


@pytest.fixture
def app_settings():
    return {"PROPAGATE_EXCEPTIONS": False}


@pytest.fixture
def failing_app(app):
    @app.get("/<lang:lang_code>/abort/<int:code>")
    def abort_with(code):
        abort(code)

    @app.get("/<lang:lang_code>/crash")
    def crash():
        raise RuntimeError("a bug")

    return app


@pytest.mark.parametrize(
    ("code", "english", "french"),
    [
        (400, "Bad request", "Requête incorrecte"),
        (403, "Access denied", "Accès refusé"),
        (429, "Too many requests", "Trop de requêtes"),
        (503, "Service unavailable", "Service indisponible"),
    ],
)
def test_error_pages_in_both_languages(failing_app, code, english, french):
    client = failing_app.test_client()
    for lang, title in (("en", english), ("fr", french)):
        response = client.get(f"/{lang}/abort/{code}")
        assert response.status_code == code
        assert soup(response).html["lang"] == lang
        assert soup(response).h1.get_text(strip=True) == title


def test_an_unexpected_error_gives_a_500_page_in_the_visitors_language(failing_app):
    response = failing_app.test_client().get("/fr/crash")
    assert response.status_code == 500
    assert soup(response).html["lang"] == "fr"
    assert "a bug" not in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("name", "lang", "status", "title"),
    [
        ("unavailable", "fr", 503, "Service indisponible"),
        ("unavailable", "en", 503, "Service unavailable"),
        ("too-large", "fr", 413, "Requête trop volumineuse"),
        ("too-large", "en", 413, "Request too large"),
    ],
)
def test_the_pages_nginx_shows_are_the_site_s_error_pages(app, client, name, lang, status, title):
    """What outage_pages writes for nginx (tests/deploy/test_tls.py serves it): one file for all."""
    written = {path.name: path for path in outage_pages.write(app)}
    page = BeautifulSoup(written[f"{name}.{lang}.html"].read_text(), "html.parser")
    assert page.html["lang"] == lang
    assert page.h1.get_text(strip=True) == title
    assert page.main.find("a", class_="button")["href"] == f"/{lang}/"
    # The same file for every visitor: no banner, no form, no token, nothing of a request.
    assert page.find("form") is None and page.find(class_="consent-banner") is None
    assert "csrf" not in str(page) and 'rel="canonical"' not in str(page)
    # Its stylesheet is the one the site's pages link (nginx serves it alone).
    served = soup(client.get(f"/{lang}/privacy"))
    assert page.find("link", rel="stylesheet")["href"] == served.find("link", rel="stylesheet")["href"]
    assert str(status) in page.find(class_="meta").get_text()
