"""The showcase: home, product and about pages, the company-given blocks, the demo request."""

from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select

from koki_site import create_app
from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from koki_site.pages.sectors import SECTORS
from koki_site.pages.showcase import ShowcaseError
from tests.conftest import SITE_URL, settings
from tests.helpers import LANGS, soup, visible_text
from tests.helpers.contact import send_contact

SHOWCASE_PAGES = ("/", "/product", "/about")
LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
CONTENT = """
[[logos]]
name = "Clinique Témoin"
image = "logos/temoin.svg"
width = 160
height = 48

[[quotes]]
lang = "fr"
text = "Citation de test en français."
person = "Camille Témoin"
role = "Cadre hygiéniste"
organization = "Clinique Témoin"

[[quotes]]
lang = "en"
text = "A test quote in English."
person = "Sam Witness"
role = "Quality manager"

[[figures]]
value = "42"
label = { fr = "sites de test", en = "test sites" }

[[figures]]
value = { en = "7 days" }
label = { en = "shown in English only" }
"""


def write_content(folder, text=CONTENT):
    (folder / "logos").mkdir(parents=True, exist_ok=True)
    (folder / "logos" / "temoin.svg").write_text(LOGO)
    path = folder / "showcase.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def app_settings(request, tmp_path):
    """With a parameter: that content file, written to tmp_path, named by SHOWCASE_CONTENT_FILE."""
    if not hasattr(request, "param"):
        return {}
    return {"SHOWCASE_CONTENT_FILE": str(write_content(tmp_path / "content", request.param))}


def hrefs(page):
    return [a["href"] for a in page.find("main").find_all("a", href=True)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", SHOWCASE_PAGES)
def test_each_page_answers_in_its_language_with_one_h1_a_description_and_alternates(client, lang, path):
    response = client.get(f"/{lang}{path}")
    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == lang
    assert len(page.find_all("h1")) == 1 and page.h1.get_text(strip=True)
    assert len(page.find("meta", attrs={"name": "description"})["content"]) > 40
    assert page.find("link", rel="canonical")["href"] == f"{SITE_URL}/{lang}{path}"
    alternates = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate")}
    assert alternates == {
        "fr": f"{SITE_URL}/fr{path}",
        "en": f"{SITE_URL}/en{path}",
        "x-default": f"{SITE_URL}/fr{path}",
    }


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", SHOWCASE_PAGES)
def test_headings_go_down_one_level_at_a_time_and_every_section_is_labelled(client, lang, path):
    main = soup(client.get(f"/{lang}{path}")).find("main")
    levels = [int(tag.name[1]) for tag in main.find_all(["h1", "h2", "h3", "h4"])]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in pairwise(levels)), levels
    for region in main.find_all(["section", "aside"]):
        assert main.find(id=region["aria-labelledby"]), region.get("class")
    assert all(img.get("alt") for img in main.find_all("img"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_leads_to_the_product_the_five_sectors_and_the_demo_before_the_newsletter(client, lang):
    links = hrefs(soup(client.get(f"/{lang}/")))
    assert f"/{lang}/product" in links
    for sector in SECTORS:
        assert f"/{lang}/sectors/{sector.slug}" in links
    demo = links.index(f"/{lang}/contact?topic=demo")
    assert demo < links.index(f"/{lang}/newsletter")


@pytest.mark.parametrize("lang", LANGS)
def test_the_product_page_links_the_privacy_policy_the_demo_request_and_has_its_faq(client, lang):
    page = soup(client.get(f"/{lang}/product"))
    assert f"/{lang}/privacy" in hrefs(page)
    assert f"/{lang}/contact?topic=demo" in hrefs(page)
    assert 5 <= len(page.find("div", class_="faq").find_all("details")) <= 7


def test_the_pages_name_the_configured_host_and_contacts(app, client):
    app.config.update(HOST_NAME="Hébergeur Témoin", COMPANY_PHONE="+33 4 72 00 00 00", COMPANY_ADDRESS="")
    assert "hébergeur témoin" in visible_text(client.get("/fr/product"))
    about = soup(client.get("/en/about"))
    text = visible_text(client.get("/en/about"))
    assert app.config["DPO_EMAIL"] in text and app.config["DPO_NAME"].lower() in text
    assert about.find("a", href="tel:+33472000000")
    assert {"/en/legal", "/en/privacy", "/en/contact"} <= set(hrefs(about))
    assert "postal address" not in text  # empty: left out


@pytest.mark.parametrize("lang", LANGS)
def test_without_a_content_file_no_logos_quotes_or_figures(client, lang):
    page = soup(client.get(f"/{lang}/"))
    assert not page.select(".logos, .quote, .figures")


@pytest.mark.parametrize("app_settings", [CONTENT], indirect=True)
def test_the_content_file_shows_its_blocks_in_the_page_language(client):
    french = soup(client.get("/fr/"))
    (logo,) = french.select(".logos img")
    assert logo["alt"] == "Clinique Témoin" and (logo["width"], logo["height"]) == ("160", "48")
    with client.get(logo["src"]) as image:
        assert image.status_code == 200 and image.mimetype == "image/svg+xml"
    assert [q.p.get_text() for q in french.select(".quote")] == ["Citation de test en français."]
    assert (
        "Camille Témoin, Cadre hygiéniste, Clinique Témoin"
        in french.select_one(".quote figcaption").get_text()
    )
    assert french.footer.find("a", href="/fr/legal")  # a quote's caption is no footer before the site's
    figures = [(d.dt.get_text(), d.dd.get_text()) for d in french.select(".figures > div")]
    assert figures == [("sites de test", "42")]  # the English-only figure is not on French pages

    english = soup(client.get("/en/"))
    assert [q.p.get_text() for q in english.select(".quote")] == ["A test quote in English."]
    figures = [(d.dt.get_text(), d.dd.get_text()) for d in english.select(".figures > div")]
    assert figures == [("test sites", "42"), ("shown in English only", "7 days")]


@pytest.mark.parametrize("app_settings", ['[[figures]]\nvalue = "1"\nlabel = "x"\n'], indirect=True)
def test_an_empty_list_leaves_its_block_out(client):
    page = soup(client.get("/en/"))
    assert page.select(".figures") and not page.select(".logos, .quote")


@pytest.mark.parametrize("app_settings", [CONTENT], indirect=True)
def test_only_the_images_the_file_names_are_served(client, tmp_path):
    with client.get("/showcase/logos/temoin.svg") as image:
        assert image.status_code == 200 and image.headers["X-Content-Type-Options"] == "nosniff"
    (tmp_path / "content" / "secret.txt").write_text("not for visitors")
    assert client.get("/showcase/secret.txt").status_code == 404
    assert client.get("/showcase/showcase.toml").status_code == 404
    assert client.get("/showcase/../content/showcase.toml").status_code == 404


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[[logos]\nname = 1", "not a valid TOML file"),
        ('[[figures]]\nvalue = "1"\n', "figure 1: label"),
        ('[[quotes]]\nlang = "de"\ntext = "t"\nperson = "p"\n', "quote 1: lang must be one of fr, en"),
        ('[[quotes]]\nlang = "fr"\ntext = ""\nperson = "p"\n', "quote 1: text is missing"),
        ('[[logos]]\nname = "n"\nimage = "logos/none.svg"\n', "does not exist"),
        ('[[logos]]\nname = "n"\nimage = "../../etc/passwd"\n', "logo 1: image must be"),
        ('[[logos]]\nname = "n"\nimage = "logos/temoin.svg"\nwidth = "wide"\n', "width must be"),
        ('[[figures]]\nvalue = "1"\nlabel = "x"\ncolour = "red"\n', "unknown field 'colour'"),
        ('[customers]\nname = "x"\n', "unknown section 'customers'"),
        ('[[screenshots]]\nplace = "hero"\nimage = "logos/temoin.svg"\nalt = "a"\n', "place must be one of"),
        ('[[screenshots]]\nplace = "home"\nimage = "logos/temoin.svg"\n', "screenshot 1: alt"),
    ],
)
def test_a_malformed_file_stops_the_start_with_a_clear_message(database_url, tmp_path, text, says):
    path = write_content(tmp_path / "content", text)
    with pytest.raises(ShowcaseError, match=r"showcase\.toml") as error:
        create_app(settings(database_url, SHOWCASE_CONTENT_FILE=str(path)), instance_path=tmp_path / "i")
    assert says in str(error.value)


def test_the_example_file_is_valid_once_uncommented(database_url, tmp_path):
    example = (Path(__file__).parents[2] / "instance" / "showcase.example.toml").read_text()
    uncommented = "\n".join(
        line.removeprefix("# ") for line in example.splitlines() if "= " in line or "[[" in line
    )
    folder = tmp_path / "content"
    (folder / "showcase").mkdir(parents=True)
    for name in ("example-hospital.svg", "app-ward-door.png"):
        (folder / "showcase" / name).write_text(LOGO)
    path = folder / "showcase.toml"
    path.write_text(uncommented, encoding="utf-8")
    app = create_app(settings(database_url, SHOWCASE_CONTENT_FILE=str(path)), instance_path=tmp_path / "i")
    shown = app.extensions["koki_showcase"]
    assert len(shown.logos) == len(shown.quotes) == len(shown.figures) == len(shown.screenshots) == 1


@pytest.mark.db
@pytest.mark.parametrize("lang", LANGS)
def test_a_demo_request_from_the_home_reaches_the_inbox_with_its_topic(app, client, staff, lang):
    demo = soup(client.get(f"/{lang}/")).find("a", href=f"/{lang}/contact?topic=demo")["href"]
    form = soup(client.get(demo))
    assert form.find("option", attrs={"value": "demo"}).has_attr("selected")
    assert send_contact(client, lang, topic="demo").status_code == 303
    support = staff("support")
    inbox = support.get("/staff/messages")
    assert "unread: a demonstration" in visible_text(inbox)  # the topic is the line's subject
    with app.app_context():
        message = db.session.scalars(select(ContactMessage)).one()
    assert (message.topic, message.language) == ("demo", lang)
    assert "a demonstration" in visible_text(support.get(f"/staff/messages/{message.id}"))


def hero_image(client, path):
    return soup(client.get(path)).select_one(".page-hero .illustration img")


def served(client, path):
    with client.get(path) as response:
        return response.status_code == 200


@pytest.mark.parametrize("lang", LANGS)
def test_each_sector_hero_has_a_drawing_of_its_own_trade_with_its_own_text(client, lang):
    heroes = [hero_image(client, f"/{lang}/sectors/{sector.slug}") for sector in SECTORS]
    for sector, image in zip(SECTORS, heroes, strict=True):
        assert f"/illustrations/sector-{sector.slug}." in image["src"], image
        assert served(client, image["src"])
    assert len({image["alt"] for image in heroes}) == len(SECTORS)


SCREENSHOT = """
[[screenshots]]
place = "sector-healthcare"
image = "logos/temoin.svg"
width = 800
height = 600
alt = { fr = "L’écran de l’application dans une chambre", en = "The app's screen in a ward" }

[[screenshots]]
place = "home"
image = "logos/temoin.svg"
alt = { fr = "Seulement en français" }
"""


@pytest.mark.parametrize("app_settings", [SCREENSHOT], indirect=True)
def test_a_screenshot_the_content_file_names_takes_the_drawings_place_where_it_has_a_text(client):
    ward = hero_image(client, "/en/sectors/healthcare")
    assert ward["src"] == "/showcase/logos/temoin.svg" and ward["alt"] == "The app's screen in a ward"
    assert (ward["width"], ward["height"]) == ("800", "600")
    assert served(client, ward["src"])
    assert hero_image(client, "/fr/")["alt"] == "Seulement en français"
    assert "/illustrations/" in hero_image(client, "/en/")["src"]  # no English text: the drawing
    assert "/illustrations/sector-food-industry." in hero_image(client, "/en/sectors/food-industry")["src"]
