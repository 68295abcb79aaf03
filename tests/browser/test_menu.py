"""The header's menu in real Chromium: one line on a phone, no JavaScript needed anywhere.

On a 390x844 phone the menu is one "Menu" disclosure that opens and leads to a sector page; on a
1366x768 laptop the sectors are a disclosure the keyboard opens; in neither language does the
header wrap onto several lines.
"""

import pytest
from playwright.sync_api import expect

from tests.helpers import LANGS
from tests.helpers.browser import SIZES, context_of

pytestmark = pytest.mark.browser

# The header's visible parts, as boxes: one line when their tops and bottoms overlap.
HEADER_PARTS = """() => [...document.querySelectorAll(
    ".header-bar > .brand, .header-bar > .lang-switch, .menu-wide > ul > li, .menu-narrow > summary"
)].filter((e) => e.getClientRects().length).map((e) => {
    const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, text: e.textContent.trim().slice(0, 20)};
})"""


def assert_one_line(page, where):
    parts = page.evaluate(HEADER_PARTS)
    assert len(parts) >= 3, (where, parts)
    lowest_top = max(p["top"] for p in parts)
    highest_bottom = min(p["bottom"] for p in parts)
    assert lowest_top < highest_bottom, (where, "the header wraps", parts)
    assert page.locator(".header-bar").bounding_box()["height"] < 80, where


def test_on_a_phone_without_javascript_the_menu_is_one_line_and_leads_to_a_sector(chromium, live_server):
    context = context_of(chromium, "phone", java_script_enabled=False)
    page = context.new_page()
    for lang in LANGS:
        for path in ("/contact", "/about", "/"):
            page.goto(f"{live_server.url}/{lang}{path}")
            assert_one_line(page, f"{lang}{path} phone")
        expect(page.locator(".menu-wide")).to_be_hidden()
        menu = page.locator(".menu-narrow")
        sector = menu.locator(f"a[href='/{lang}/sectors/food-industry']")
        expect(sector).to_be_hidden()
        menu.locator("summary").click()
        for href in ("product", "about", "contact?topic=demo"):
            expect(menu.locator(f"a[href='/{lang}/{href}']")).to_be_visible()
        expect(sector).to_be_visible()
        with page.expect_navigation():
            sector.click()
        assert page.url == f"{live_server.url}/{lang}/sectors/food-industry"
        assert_one_line(page, f"{lang} sector phone")
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"][0]
    page.set_viewport_size({"width": 320, "height": 640})  # a small phone: still one line, no sideways scroll
    page.goto(f"{live_server.url}/en/about")
    assert_one_line(page, "320 px")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    context.close()


def test_on_a_laptop_the_keyboard_reaches_the_sectors_without_javascript(chromium, live_server):
    context = context_of(chromium, "laptop", java_script_enabled=False)
    page = context.new_page()
    for lang in LANGS:
        for path in ("/contact", "/about", "/privacy"):
            page.goto(f"{live_server.url}/{lang}{path}")
            assert_one_line(page, f"{lang}{path} laptop")
        expect(page.locator(".menu-narrow")).to_be_hidden()
        summary = page.locator(".menu-sectors summary")
        summary.focus()
        expect(summary).to_be_focused()
        sector = page.locator(f".menu-sectors a[href='/{lang}/sectors/healthcare']")
        expect(sector).to_be_hidden()
        page.keyboard.press("Enter")
        expect(sector).to_be_visible()
        page.keyboard.press("Tab")
        expect(page.locator(".menu-sectors a").first).to_be_focused()
        sector.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.url == f"{live_server.url}/{lang}/sectors/healthcare"
        assert_one_line(page, f"{lang} sector laptop")
        current = page.locator(f".menu-sectors a[href='/{lang}/sectors/healthcare']")
        expect(current).to_have_attribute("aria-current", "page")
    context.close()


def test_with_javascript_escape_and_a_click_elsewhere_close_the_sectors(chromium, live_server):
    context = context_of(chromium, "laptop")
    page = context.new_page()
    page.goto(f"{live_server.url}/en/privacy")
    sectors = page.locator(".menu-sectors")
    sectors.locator("summary").click()
    expect(sectors).to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(sectors).not_to_have_attribute("open", "")
    expect(sectors.locator("summary")).to_be_focused()
    sectors.locator("summary").click()
    expect(sectors).to_have_attribute("open", "")
    page.locator("main h1").click()
    expect(sectors).not_to_have_attribute("open", "")
    context.close()
