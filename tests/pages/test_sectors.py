"""The five sector pages: each in both languages, each its own text in its readers' words."""

from itertools import combinations, pairwise

import pytest

from koki_site.pages.sectors import SECTORS
from tests.conftest import SITE_URL
from tests.helpers import LANGS, PAGES, soup, visible_text
from tests.helpers.typography import problems

SLUGS = [sector.slug for sector in SECTORS]
# Words a reader of each trade looks for, in each language, "|" between them (the text is lower-cased).
VOCABULARY = {
    ("fr", "healthcare"): "bionettoyage|zones à risque|protocole|eoh|clin|certification has|ehpad",
    ("en", "healthcare"): "bionettoyage|risk zone|protocol|infection prevention team|has certification",
    ("fr", "food-industry"): "pnd|plan de nettoyage et désinfection|haccp|ifs|brcgs|contrôles de surface"
    "|actions correctives|paquet hygiène|852/2004",
    ("en", "food-industry"): "cleaning and disinfection plan|haccp|ifs|brcgs|surface checks|corrective action"
    "|hygiene package|852/2004",
    ("fr", "cleaning-companies"): "donneur d’ordre|preuve de prestation|agents|indicateurs qualité|litiges"
    "|horodat|cahier des charges",
    ("en", "cleaning-companies"): "proof of service|cleaning staff|quality indicators|disputes|time-stamped",
    ("fr", "hospitality"): "chambres|cuisine|contrôle officiel|haccp|recouche|pms",
    ("en", "hospitality"): "guest rooms|kitchen|official inspection|haccp|stayover|housekeep",
    ("fr", "public-buildings"): "écoles|bureaux|gymnases|fréquence|retours des occupants|collectivité|régie",
    ("en", "public-buildings"): "schools|offices|gyms|frequenc|occupant|local government",
}


def get(client, lang, slug):
    response = client.get(f"/{lang}/sectors/{slug}")
    assert response.status_code == 200
    return response


def main_blocks(response):
    """The text blocks of a page's own content, the way to the other sectors left out (it is shared)."""
    main = soup(response).main
    main.find("section", attrs={"aria-labelledby": "other-sectors"}).decompose()
    blocks = main.find_all(["p", "dd", "li", "summary", "h2", "h3"])
    return {" ".join(block.get_text(" ").split()) for block in blocks if not block.find(["p", "li", "h3"])}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", SLUGS)
def test_each_sector_page_is_served_with_its_title_description_and_alternates(client, lang, slug):
    page = soup(get(client, lang, slug))
    assert page.html["lang"] == lang
    assert len(page.find_all("h1")) == 1 and page.h1.get_text(strip=True)
    description = page.find("meta", attrs={"name": "description"})["content"]
    assert 120 <= len(description) <= 160, (len(description), description)
    assert page.find("link", rel="canonical")["href"] == f"{SITE_URL}/{lang}/sectors/{slug}"
    alternates = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate")}
    assert alternates == {
        "fr": f"{SITE_URL}/fr/sectors/{slug}",
        "en": f"{SITE_URL}/en/sectors/{slug}",
        "x-default": f"{SITE_URL}/fr/sectors/{slug}",
    }


@pytest.mark.parametrize(("lang", "slug"), list(VOCABULARY))
def test_each_sector_speaks_its_readers_words(client, lang, slug):
    text = visible_text(get(client, lang, slug))
    missing = [word for word in VOCABULARY[lang, slug].split("|") if word not in text]
    assert missing == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_two_sector_pages_share_their_heading_description_or_text(client, lang):
    pages = {slug: get(client, lang, slug) for slug in SLUGS}
    headings = {soup(response).h1.get_text(strip=True) for response in pages.values()}
    descriptions = {
        soup(response).find("meta", attrs={"name": "description"})["content"] for response in pages.values()
    }
    titles = {soup(response).title.string for response in pages.values()}
    assert len(headings) == len(descriptions) == len(titles) == len(SLUGS)
    blocks = {slug: main_blocks(response) for slug, response in pages.items()}
    for one, other in combinations(SLUGS, 2):
        shared = blocks[one] & blocks[other]
        # Only the buttons may be the same: demo and product, the demo halfway, demo and newsletter,
        # and the one that unfolds the glossary.
        assert len(shared) <= 4, (one, other, shared)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", SLUGS)
def test_each_sector_page_leads_to_a_demo_the_product_and_the_other_sectors(client, lang, slug):
    page = soup(get(client, lang, slug))
    links = [a["href"] for a in page.main.find_all("a")]
    assert f"/{lang}/contact?topic=demo" in links
    demo = page.main.find("a", href=f"/{lang}/contact?topic=demo")
    assert "button" in demo["class"]
    assert f"/{lang}/product" in links
    others = {f"/{lang}/sectors/{other}" for other in SLUGS if other != slug}
    assert others <= set(links) and f"/{lang}/sectors/{slug}" not in links
    # The demo comes first in the closing band, the newsletter second.
    band = [a["href"] for a in page.find("aside", class_="cta-band").find_all("a")]
    assert band == [f"/{lang}/contact?topic=demo", f"/{lang}/newsletter"]


@pytest.mark.parametrize("slug", SLUGS)
def test_each_sector_page_has_a_glossary_an_illustration_and_a_faq(client, slug):
    page = soup(get(client, "en", slug))
    assert len(page.select("dl.glossary > div > dt")) >= 4
    for image in page.select("figure.illustration img"):
        assert len(image["alt"]) > 30 and image["width"] and image["height"]
    assert page.select("figure.illustration img")
    assert 3 <= len(page.select("div.faq details summary")) <= 4
    headings = [int(tag.name[1]) for tag in page.main.find_all(["h1", "h2", "h3", "h4"])]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in pairwise(headings))
    for section in page.main.find_all(["section", "aside"]):
        assert page.find(id=section["aria-labelledby"]), section["aria-labelledby"]


@pytest.mark.parametrize("slug", SLUGS)
def test_the_french_sector_pages_are_typeset_as_french(client, slug):
    page = soup(get(client, "fr", slug))
    text = page.get_text(" ") + " " + page.find("meta", attrs={"name": "description"})["content"]
    assert problems(text) == []
    assert "'" not in page.main.get_text()  # typographic apostrophes only


@pytest.mark.parametrize(("lang", "title"), [("fr", "page introuvable"), ("en", "page not found")])
def test_an_unknown_sector_answers_404_in_the_visitors_language(client, lang, title):
    response = client.get(f"/{lang}/sectors/bakeries")
    assert response.status_code == 404
    assert soup(response).html["lang"] == lang
    assert title in visible_text(response)


# What reads as translated from the French, for an American facilities or quality manager.
TRANSLATED_ENGLISH = (
    " agents",
    "without network",
    "official control",
    "sports hall",
    "between two guests",
    "your eoh",
    "the eoh",
    "care home",
    "ifs or brc ",
)


@pytest.mark.parametrize("path", PAGES)
def test_the_english_reads_as_written_in_american_english(client, path):
    text = visible_text(client.get(f"/en{path}"))
    assert [words for words in TRANSLATED_ENGLISH if words in text] == []
