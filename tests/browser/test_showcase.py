"""The showcase in real Chromium: light, accessible, self-contained, a demo two clicks away."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from tests.browser.test_consent_banner import screenshot_path
from tests.helpers import LANGS, SHOWCASE_PAGES
from tests.helpers.browser import SIZES, context_of, serious_violations

pytestmark = pytest.mark.browser
HOME_BUDGET = 150 * 1024  # bytes transferred for the home page, its font and its pictures
# Every kind of page a visitor may start from, for "a demo request is two clicks from any page".
# Each language and each size once: the pages of one language share their resources and layout.
EACH_LANGUAGE_AND_SIZE = [("fr", "phone"), ("en", "laptop")]
STARTS = (*SHOWCASE_PAGES, "/privacy", "/cookies", "/legal", "/newsletter", "/rights", "/no-such-page")


def new_page(chromium, size, **options):
    context = context_of(chromium, size, **options)
    return context, context.new_page()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
def test_the_home_page_with_its_font_and_pictures_weighs_under_150_kb(chromium, live_server, lang, size):
    context, page = new_page(chromium, size)
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    page.goto(f"{live_server.url}/{lang}/", wait_until="networkidle")
    sizes = [request.sizes() for request in responses]
    transferred = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    kinds = {request.resource_type for request in responses}
    assert {"document", "stylesheet", "font", "image"} <= kinds, kinds  # what is counted is there
    assert transferred < HOME_BUDGET, [
        (r.url, s["responseBodySize"]) for r, s in zip(responses, sizes, strict=True)
    ]
    context.close()


@pytest.mark.parametrize(("lang", "size"), EACH_LANGUAGE_AND_SIZE)
def test_every_showcase_page_is_accessible_and_loads_nothing_from_another_site(
    chromium, live_server, lang, size
):
    context, page = new_page(chromium, size)
    elsewhere = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url + "/", "data:"))
            else elsewhere.append(request.url)
        ),
    )
    for path in SHOWCASE_PAGES:
        page.goto(f"{live_server.url}/{lang}{path}", wait_until="networkidle")
        expect(page.locator("h1")).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size][0], path
        broken = page.evaluate(
            "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
        )
        assert broken == [], (path, broken)
        assert serious_violations(page) == [], path
    assert elsewhere == []
    context.close()


@pytest.mark.parametrize(("lang", "size"), EACH_LANGUAGE_AND_SIZE)
def test_a_demo_request_is_two_clicks_from_any_page(chromium, live_server, lang, size):
    context, page = new_page(chromium, size, java_script_enabled=False)
    for path in STARTS:
        page.goto(f"{live_server.url}/{lang}{path}")
        menu = page.locator(".menu-narrow summary")
        if menu.is_visible():  # a phone: the first click opens the menu
            menu.click()
        with page.expect_navigation():  # the second (a laptop's first): the header's demo request
            page.locator(f"header a[href='/{lang}/contact?topic=demo']:visible").first.click()
        assert page.url == f"{live_server.url}/{lang}/contact?topic=demo", path
        expect(page.locator("#topic")).to_have_value("demo")
    context.close()


def test_a_demo_requested_from_the_home_reaches_the_inbox_with_its_topic(app, chromium, live_server):
    context, page = new_page(chromium, "laptop")
    page.goto(f"{live_server.url}/fr/")
    with page.expect_navigation():
        page.locator("main a[href='/fr/contact?topic=demo']").first.click()
    page.fill("#first_name", "Claire")
    page.fill("#last_name", "Vasseur")
    page.fill("#email", "claire.vasseur@example.org")
    page.fill("#message", "Bonjour, nous voudrions voir le logiciel pour nos trois cuisines centrales.")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("KOKI-")
    with app.app_context():
        (message,) = db.session.scalars(select(ContactMessage)).all()
        assert message.topic == "demo" and message.language == "fr"
        assert message.email == "claire.vasseur@example.org"
    context.close()


def test_a_demo_request_without_a_message_lands_on_what_comes_next(app, chromium, live_server):
    """In Chromium the form's #error-summary would follow the redirect: the address it lands on has
    none, and the page says what comes next."""
    context, page = new_page(chromium, "phone")
    page.goto(f"{live_server.url}/fr/contact?topic=demo")
    expect(page.locator("h1")).to_have_text("Demander une démonstration")
    page.fill("#first_name", "Claire")
    page.fill("#last_name", "Vasseur")
    page.fill("#email", "claire.vasseur@example.org")
    page.screenshot(path=screenshot_path("contact-demo-fr-390.png"), full_page=True)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    with app.app_context():
        (message,) = db.session.scalars(select(ContactMessage)).all()
    assert page.url == f"{live_server.url}/fr/contact/sent/{message.reference}?topic=demo#main"
    expect(page.locator("h1")).to_contain_text("demande de démonstration")
    expect(page.locator("main")).to_contain_text(message.reference)
    page.screenshot(path=screenshot_path("contact-demo-sent-fr-390.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_on_a_phone_the_first_screen_shows_the_product_and_says_what_it_does(chromium, live_server, lang):
    context, page = new_page(chromium, "phone", extra_http_headers={"Sec-GPC": "1"})  # no banner
    for path in ("/", "/sectors/healthcare", "/sectors/food-industry"):
        page.goto(f"{live_server.url}/{lang}{path}")
        picture = page.locator(".page-hero .illustration img")
        expect(picture).to_be_in_viewport(ratio=1)
        assert page.locator("h1").bounding_box()["y"] < picture.bounding_box()["y"]
    page.goto(f"{live_server.url}/{lang}/")
    lead = page.locator(".page-hero .lead").inner_text()
    for words in {
        "en": ("QR code", "NFC", "offline", "audit"),
        "fr": ("code QR", "NFC", "sans réseau", "audit"),
    }[lang]:
        assert words in lead, words
    assert {"en": "innovative", "fr": "innovant"}[lang] not in lead
    context.close()
