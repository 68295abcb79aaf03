"""Long pages read well: lines of about 70 characters on a laptop; on a phone, a way to ask for a
demo in the middle of a sector page, and its glossary folded (real Chromium)."""

import pytest
from playwright.sync_api import expect

from tests.helpers import LANGS, PAGES
from tests.helpers.browser import context_of

pytestmark = pytest.mark.browser
# The characters per line of each paragraph or list item of three lines or more.
CHARACTERS_PER_LINE = """() => [...document.querySelectorAll("main p, main li, main dd")].flatMap(element => {
    const style = getComputedStyle(element);
    const lines = Math.round(element.getBoundingClientRect().height / parseFloat(style.lineHeight));
    const text = element.innerText.trim();
    return lines >= 3 && element.offsetParent ? [[Math.round(text.length / lines), text.slice(0, 50)]] : [];
})"""
SECTORS = ("healthcare", "food-industry", "cleaning-companies", "hospitality", "public-buildings")


@pytest.mark.parametrize("lang", LANGS)
def test_body_text_runs_at_most_about_seventy_characters_a_line_on_a_laptop(chromium, live_server, lang):
    context = context_of(chromium, "laptop")
    page = context.new_page()
    for path in PAGES:
        page.goto(f"{live_server.url}/{lang}{path}")
        widest = max(page.evaluate(CHARACTERS_PER_LINE), default=(0, ""))
        assert widest[0] <= 78, (path, widest)
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_on_a_phone_a_sector_page_offers_a_demo_halfway_and_folds_its_glossary(chromium, live_server, lang):
    context = context_of(chromium, "phone")
    page = context.new_page()
    for slug in SECTORS:
        page.goto(f"{live_server.url}/{lang}/sectors/{slug}")
        height = page.evaluate("document.documentElement.scrollHeight")
        halfway = page.locator(".mid-page-action a")
        expect(halfway).to_be_visible()
        assert halfway.get_attribute("href") == f"/{lang}/contact?topic=demo"
        position = page.evaluate("e => e.getBoundingClientRect().top + scrollY", halfway.element_handle())
        assert 0.3 * height < position < 0.7 * height, (slug, position, height)
        definition = page.locator(".glossary dd").first
        expect(definition).to_be_hidden()
        page.locator(".glossary-fold > summary").click()
        expect(definition).to_be_visible()
    context.close()


def test_on_a_laptop_the_glossary_is_open_and_the_halfway_demo_left_out(chromium, live_server):
    context = context_of(chromium, "laptop")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/sectors/healthcare")
    expect(page.locator(".glossary dd").first).to_be_visible()
    expect(page.locator(".glossary-fold > summary")).to_be_hidden()
    expect(page.locator(".mid-page-action")).to_be_hidden()
    context.close()
