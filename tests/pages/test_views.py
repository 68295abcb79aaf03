"""Each public page in both languages: status, language, title, description, alternates."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import SITE_URL
from tests.helpers import LANGS, PAGES, soup, visible_text

TITLES = {
    ("fr", "/privacy"): "Politique de confidentialité",
    ("en", "/privacy"): "Privacy policy",
    ("fr", "/cookies"): "Politique de cookies",
    ("en", "/cookies"): "Cookie policy",
    ("fr", "/legal"): "Mentions légales",
    ("en", "/legal"): "Legal notice",
    ("fr", "/"): "Logiciel de traçabilité du nettoyage",
    ("en", "/"): "Cleaning traceability software",
    ("fr", "/product"): "Comment fonctionne le logiciel de traçabilité du nettoyage",
    ("en", "/product"): "How the cleaning traceability software works",
    ("fr", "/about"): "L’entreprise",
    ("en", "/about"): "The company",
    ("fr", "/sectors/healthcare"): "Traçabilité du bionettoyage pour les hôpitaux, cliniques et EHPAD",
    (
        "en",
        "/sectors/healthcare",
    ): "Cleaning and disinfection traceability for hospitals, clinics and nursing homes",
    ("fr", "/sectors/food-industry"): "Traçabilité du plan de nettoyage et désinfection en agroalimentaire",
    ("en", "/sectors/food-industry"): "Cleaning and disinfection plan traceability for the food industry",
    ("fr", "/sectors/cleaning-companies"): "Preuve de prestation pour les entreprises de propreté",
    ("en", "/sectors/cleaning-companies"): "Proof of service for cleaning companies",
    ("fr", "/sectors/hospitality"): "Traçabilité du ménage et de l’hygiène en cuisine",
    ("en", "/sectors/hospitality"): "Housekeeping and kitchen hygiene traceability",
    ("fr", "/sectors/public-buildings"): "Traçabilité du nettoyage des écoles, bureaux et bâtiments publics",
    ("en", "/sectors/public-buildings"): "Cleaning traceability for schools, offices and public buildings",
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_page_is_served_in_its_language(client, lang, path):
    response = client.get(f"/{lang}{path}")
    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == lang
    assert page.title.string.startswith(TITLES[lang, path])
    assert page.h1.get_text(strip=True)
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert len(description) > 40


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_alternates_are_absolute_and_the_switch_leads_to_the_same_page(client, lang, path):
    page = soup(client.get(f"/{lang}{path}"))
    alternates = {
        link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate", hreflang=True)
    }
    assert alternates == {
        "fr": f"{SITE_URL}/fr{path}",
        "en": f"{SITE_URL}/en{path}",
        "x-default": f"{SITE_URL}/fr{path}",
    }
    assert page.find("link", rel="canonical")["href"] == f"{SITE_URL}/{lang}{path}"
    other = "en" if lang == "fr" else "fr"
    switch = page.find("a", class_="lang-switch")
    assert switch["href"] == f"/{other}{path}"  # relative: it works on any address the site answers
    assert switch["lang"] == other
    assert switch.get_text(strip=True) == {"fr": "Français", "en": "English"}[other]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_the_layout_landmarks_and_footer_links(client, lang, path):
    page = soup(client.get(f"/{lang}{path}"))
    skip = page.find("a", class_="skip-link")
    assert skip["href"] == "#main" and page.find("main", id="main")
    assert page.find("header") and page.find("footer") and page.find("nav")
    footer_links = {a["href"] for a in page.footer.find_all("a")}
    assert {
        f"/{lang}/privacy",
        f"/{lang}/cookies",
        f"/{lang}/cookies#settings",
        f"/{lang}/legal",
    } <= footer_links
    assert any(href.startswith("mailto:") or href.endswith("/contact") for href in footer_links)
    year = datetime.now(ZoneInfo("Europe/Paris")).year
    assert f"© {year} KOKI SOFTWARE" in page.footer.get_text()


@pytest.mark.parametrize(
    ("lang", "pitch", "cta"),
    [
        ("en", "cleaning traceability software", "contact us"),
        ("fr", "traçabilité du nettoyage", "contactez-nous"),
    ],
)
def test_home_presents_the_company_and_its_offer(client, lang, pitch, cta):
    text = visible_text(client.get(f"/{lang}/"))
    assert "koki software" in text and pitch in text and cta in text


def test_legal_notice_shows_the_configured_publisher_and_host(app, client):
    app.config.update(COMPANY_ADDRESS="12 rue de l'Exemple, 69001 Lyon", HOST_NAME="Hébergeur SA")
    text = visible_text(client.get("/fr/legal"))
    assert "12 rue de l'exemple, 69001 lyon" in text
    assert "hébergeur sa" in text
    assert app.config["COMPANY_EMAIL"] in text


def test_the_legal_notice_writes_the_telephone_as_the_other_pages_do(app, client):
    app.config.update(COMPANY_PHONE="+33472000000")  # typed without spaces
    page = soup(client.get("/fr/legal"))
    assert page.find("a", href="tel:+33472000000").get_text() == "04 72 00 00 00"


def test_an_empty_setting_leaves_its_line_out(client):
    # COMPANY_ADDRESS is empty by default: no "Registered office" heading with nothing under it.
    assert "registered office" not in visible_text(client.get("/en/legal"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_standard_is_named_brcgs_everywhere(client, lang):
    """BRC became BRCGS in 2018: the sector pages say so, and so does every other page."""
    for path in PAGES:
        text = soup(client.get(f"/{lang}{path}")).get_text(" ")
        assert not re.search(r"\bBRC\b(?!GS)", text), path
