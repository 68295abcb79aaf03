"""What search engines and link previews read: the sitemap, robots.txt, Open Graph, JSON-LD."""

import json
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import SITE_URL
from tests.helpers import LANGS, PAGES, SHOWCASE_PAGES, soup

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LISTED = (*PAGES, "/contact", "/newsletter", "/rights")


def sitemap(client, **kwargs):
    response = client.get("/sitemap.xml", **kwargs)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    return ET.fromstring(response.data)


def test_the_sitemap_lists_every_public_page_in_both_languages_with_its_alternates(client):
    urls = sitemap(client).findall(f"{SITEMAP}url")
    locations = [url.find(f"{SITEMAP}loc").text for url in urls]
    assert sorted(locations) == sorted(f"{SITE_URL}/{lang}{path}" for lang in LANGS for path in LISTED)
    for url in urls:
        location = url.find(f"{SITEMAP}loc").text
        path = location.removeprefix(SITE_URL)[3:]
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")}
        assert alternates == {
            "fr": f"{SITE_URL}/fr{path}",
            "en": f"{SITE_URL}/en{path}",
            "x-default": f"{SITE_URL}/fr{path}",
        }
        assert client.get(location.removeprefix(SITE_URL)).status_code == 200


def test_the_sitemap_never_takes_its_address_from_the_request(client):
    root = sitemap(client, headers={"X-Forwarded-Host": "evil.example"})
    assert all(loc.text.startswith(f"{SITE_URL}/") for loc in root.iter(f"{SITEMAP}loc"))
    assert "evil" not in client.get("/sitemap.xml", headers={"X-Forwarded-Host": "evil.example"}).text


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_the_back_office(client):
    text = client.get("/robots.txt").text
    assert f"Sitemap: {SITE_URL}/sitemap.xml" in text.splitlines()
    assert "Disallow: /staff/" in text.splitlines()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", SHOWCASE_PAGES)
def test_each_showcase_page_has_its_own_title_description_and_preview(client, lang, path):
    page = soup(client.get(f"/{lang}{path}"))

    def meta(**attrs):
        return page.find("meta", attrs=attrs)["content"]

    description = meta(name="description")
    assert len(description) >= 50
    assert meta(property="og:description") == description
    assert meta(property="og:title") and meta(property="og:title") in page.title.get_text()
    assert meta(property="og:url") == f"{SITE_URL}/{lang}{path}"
    image = meta(property="og:image")
    assert image.startswith(f"{SITE_URL}/static/") and image.endswith(".png")
    with client.get(image.removeprefix(SITE_URL)) as served:  # a file WhiteNoise opened: closed
        assert served.status_code == 200 and served.mimetype == "image/png"


def test_no_two_showcase_pages_share_a_title_or_a_description(client):
    for lang in LANGS:
        pages = [soup(client.get(f"/{lang}{path}")) for path in SHOWCASE_PAGES]
        titles = {page.title.get_text() for page in pages}
        descriptions = {page.find("meta", attrs={"name": "description"})["content"] for page in pages}
        assert len(titles) == len(descriptions) == len(SHOWCASE_PAGES)


def organization(client, lang="fr"):
    page = soup(client.get(f"/{lang}/"))
    (script,) = page.find_all("script", type="application/ld+json")
    return json.loads(script.string)


def test_the_home_describes_the_company_as_an_organization_from_configuration(app, client):
    found = organization(client)
    assert found["@context"] == "https://schema.org" and found["@type"] == "Organization"
    assert found["name"] == app.config["COMPANY_NAME"] and found["url"] == f"{SITE_URL}/fr/"
    assert found["email"] == app.config["COMPANY_EMAIL"]
    assert "telephone" not in found and "address" not in found  # empty settings say nothing
    assert not soup(client.get("/fr/product")).find("script", type="application/ld+json")


def test_a_configured_phone_and_address_reach_the_json_ld(app, client):
    app.config.update(COMPANY_PHONE="+33 4 00 00 00 00", COMPANY_ADDRESS="1 rue de l’Exemple, 69000 Lyon")
    found = organization(client, "en")
    assert found["telephone"] == "+33 4 00 00 00 00"
    assert found["address"] == "1 rue de l’Exemple, 69000 Lyon"
