"""The cookie banner and the settings form in real Chromium: keyboard, no JavaScript, axe-core."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.helpers.browser import serious_violations

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
REGION_NAME = {"en": "Your choice about cookies", "fr": "Vos choix en matière de cookies"}
REFUSE_ALL = {"en": "Refuse all", "fr": "Tout refuser"}
MAX_TABS = 15

ACTIVE_ELEMENT = """() => {
    const element = document.activeElement;
    return {
        tag: element.tagName.toLowerCase(),
        name: element.getAttribute("name"),
        value: element.getAttribute("value"),
        text: element.textContent.trim(),
        in_banner: element.closest(".consent-banner") !== null,
        in_header_nav: element.closest(".site-header nav") !== null,
    };
}"""

FOCUS_STYLE = """() => {
    const style = getComputedStyle(document.activeElement);
    return {
        outline_style: style.outlineStyle,
        outline_width: style.outlineWidth,
        box_shadow: style.boxShadow,
    };
}"""


def cookie_names(context):
    return {cookie["name"] for cookie in context.cookies()}


def screenshot_path(name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / name


def accept_all_in_banner(page):
    with page.expect_navigation():
        page.locator(".consent-banner").get_by_role("button", name="Accept all").click()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_keyboard_only_visitor_refuses_all_from_the_banner(chromium, live_server, lang):
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/privacy")
    banner = page.locator(".consent-banner")
    expect(banner).to_be_visible()

    focused, presses = None, 0
    while presses < MAX_TABS:
        page.keyboard.press("Tab")
        presses += 1
        focused = page.evaluate(ACTIVE_ELEMENT)
        if focused["name"] == "choice" and focused["value"] == "reject_all":
            break
    assert focused["name"] == "choice" and focused["value"] == "reject_all", focused
    assert presses <= 10, f"'refuse all' needs {presses} Tab presses"
    assert focused["in_banner"]
    assert focused["text"] == REFUSE_ALL[lang]

    banner.screenshot(path=screenshot_path(f"banner-{lang}.png"))
    style = page.evaluate(FOCUS_STYLE)
    assert style["outline_style"] != "none" or style["box_shadow"] not in ("", "none"), style
    if style["outline_style"] != "none":
        assert style["outline_width"] not in ("0px", ""), style

    with (
        page.expect_response(lambda response: response.url.endswith("/consent")) as posted,
        page.expect_navigation(),
    ):
        page.keyboard.press("Enter")
    assert posted.value.status == 303
    expect(page).to_have_url(f"{live_server.url}/{lang}/privacy")
    expect(banner).to_have_count(0)
    names = cookie_names(context)
    assert "koki_consent" in names
    assert "koki_stats" not in names

    page.goto(f"{live_server.url}/{lang}/")
    expect(page.locator(".consent-banner")).to_have_count(0)
    assert "koki_stats" not in cookie_names(context)
    context.close()


def test_banner_works_without_javascript(chromium, live_server):
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    expect(page.locator(".consent-banner")).to_be_visible()

    accept_all_in_banner(page)
    expect(page).to_have_url(f"{live_server.url}/en/")
    expect(page.locator(".consent-banner")).to_have_count(0)
    assert "koki_consent" in cookie_names(context)

    page.goto(f"{live_server.url}/en/privacy")
    expect(page.locator(".consent-banner")).to_have_count(0)
    assert "koki_stats" in cookie_names(context)
    context.close()


@pytest.mark.parametrize("path", ["/fr/", "/en/privacy"])
def test_axe_with_the_banner_open(chromium, live_server, path):
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}{path}")
    expect(page.locator(".consent-banner")).to_be_visible()
    assert serious_violations(page) == []
    page.locator(".consent-banner summary").click()  # "Choose": the purposes open over the page
    expect(page.locator("#banner-statistics")).to_be_visible()
    assert serious_violations(page) == []
    context.close()


def test_settings_page_withdraws_statistics(chromium, live_server):
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    accept_all_in_banner(page)
    expect(page.locator(".consent-banner")).to_have_count(0)
    assert {"koki_consent", "koki_stats"} <= cookie_names(context)

    page.goto(f"{live_server.url}/en/cookies")
    settings = page.locator("form.consent-settings")
    purposes = ("statistics", "enhancement", "requests")
    for purpose in purposes:
        expect(settings.locator(f"#settings-{purpose}")).to_be_checked()

    page.locator("label[for=settings-statistics]").click()
    expect(settings.locator("#settings-statistics")).not_to_be_checked()
    with page.expect_navigation():
        settings.get_by_role("button", name="Save my choices").click()

    expect(page).to_have_url(f"{live_server.url}/en/cookies?saved=1#consent-saved")
    expect(page.get_by_role("status")).to_have_text("Your cookie choices are saved.")
    expect(page.locator("#settings-statistics")).not_to_be_checked()
    expect(page.locator("#settings-enhancement")).to_be_checked()
    expect(page.locator("#settings-requests")).to_be_checked()
    names = cookie_names(context)
    assert "koki_stats" not in names
    assert "koki_consent" in names

    assert serious_violations(page) == []
    page.locator("section#settings").screenshot(path=screenshot_path("settings-en.png"))
    context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_banner_is_a_labelled_region_and_no_focus_trap(chromium, live_server, lang):
    context = chromium.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/privacy")
    region = page.get_by_role("region", name=REGION_NAME[lang])
    expect(region).to_have_count(1)
    expect(region).to_have_class("consent-banner")

    visited_banner, focused = False, None
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(ACTIVE_ELEMENT)
        visited_banner = visited_banner or focused["in_banner"]
        if focused["in_header_nav"]:
            break
    assert visited_banner, "Tab never entered the banner"
    assert focused["in_header_nav"], f"focus stuck at {focused} after {MAX_TABS} Tab presses"
    expect(region).to_be_visible()
    context.close()
