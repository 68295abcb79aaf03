"""What a visitor sees on a 390x844 phone and a 1366x768 laptop: in real Chromium.

The banner leaves the page's heading in sight; no page scrolls sideways; every page's first
heading is its h1; feedback (saved settings, form errors) lands on screen and takes the focus.
"""

import pytest
from playwright.sync_api import expect

from tests.helpers import FORM_PAGES, LANGS
from tests.helpers.browser import SIZES, ZOOMED, context_of, serious_violations
from tests.helpers.rights import verify_link

pytestmark = pytest.mark.browser
PUBLIC_PAGES = ("/", "/privacy", "/cookies", "/legal", *FORM_PAGES, "/contact/sent", "/no-such-page")
LAYOUT = """() => ({
    scroll_width: document.documentElement.scrollWidth,
    first_heading: (document.querySelector("h1, h2, h3, h4, h5, h6") || {}).tagName,
    h1_count: document.querySelectorAll("h1").length,
})"""


def box(locator):
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def assert_laid_out(page, width, where):
    layout = page.evaluate(LAYOUT)
    assert layout["scroll_width"] <= width, (where, "scrolls sideways", layout)
    assert layout["first_heading"] == "H1" and layout["h1_count"] == 1, (where, layout)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
def test_no_public_page_scrolls_sideways_and_each_starts_with_its_h1(chromium, live_server, lang, size):
    context = context_of(chromium, size)
    page = context.new_page()
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}/{lang}{path}")
        assert_laid_out(page, SIZES[size][0], path)
    context.close()


@pytest.mark.parametrize("size", [*SIZES, *ZOOMED])
@pytest.mark.parametrize("lang", LANGS)
def test_the_banner_leaves_the_heading_and_its_three_buttons_on_the_first_screen(
    chromium, live_server, lang, size
):
    width, height = (SIZES | ZOOMED)[size]
    context = context_of(chromium, size)
    page = context.new_page()
    for path in ["/", "/sectors/food-industry", "/privacy", "/contact"]:  # one page of each kind
        page.goto(f"{live_server.url}/{lang}{path}")
        banner = box(page.locator(".consent-banner"))
        assert banner["height"] <= height / 3, (path, banner)
        assert banner["y"] + banner["height"] <= height + 1, path  # at the bottom of the first screen
        heading = box(page.locator("h1"))
        assert heading["y"] >= 0 and heading["y"] + heading["height"] <= banner["y"], (path, heading, banner)
        actions = page.locator(".consent-banner").locator(
            "button[value=accept_all], button[value=reject_all], summary"
        )
        expect(actions).to_have_count(3)
        boxes = [box(actions.nth(i)) for i in range(3)]
        assert all(b["y"] >= banner["y"] and b["y"] + b["height"] <= height for b in boxes), (path, boxes)
        assert len({(round(b["width"]), round(b["height"])) for b in boxes}) == 1, (
            path,
            boxes,
        )  # equal weight
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    context.close()


@pytest.mark.parametrize("size", [*SIZES, *ZOOMED])
@pytest.mark.parametrize("lang", LANGS)
def test_choose_opens_below_the_banners_title_and_buttons(chromium, live_server, size, lang):
    width, height = (SIZES | ZOOMED)[size]
    context = context_of(chromium, size)
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/")
    banner = page.locator(".consent-banner")
    banner.locator("summary").click()
    title, summary = box(banner.locator("#consent-title")), box(banner.locator("summary"))
    first_purpose = box(banner.locator(".consent-purpose").first)
    assert 0 <= title["y"] < summary["y"] < first_purpose["y"], (title, summary, first_purpose)
    assert summary["y"] + summary["height"] <= height  # the title and the buttons stay on screen
    save = banner.get_by_role("button", name={"en": "Save my choices", "fr": "Enregistrer mes choix"}[lang])
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_the_banner_links_the_cookie_and_the_privacy_policies(chromium, live_server, lang):
    context = context_of(chromium, "phone")
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/contact")
    links = page.locator(".consent-banner .consent-text a")
    expect(links).to_have_count(2)
    assert [links.nth(i).get_attribute("href") for i in range(2)] == [f"/{lang}/cookies", f"/{lang}/privacy"]
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_choose_opens_the_purposes_without_javascript_and_saves_them(chromium, live_server, size):
    context = context_of(chromium, size, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    banner = page.locator(".consent-banner")
    expect(banner.locator("#banner-statistics")).to_be_hidden()
    banner.locator("summary").click()
    expect(banner.locator("#banner-statistics")).to_be_visible()
    banner.locator("label[for=banner-requests]").click()
    with page.expect_navigation():
        banner.get_by_role("button", name="Save my choices").click()
    expect(page.locator(".consent-banner")).to_have_count(0)
    page.goto(f"{live_server.url}/en/cookies")
    expect(page.locator("#settings-requests")).to_be_checked()
    expect(page.locator("#settings-statistics")).not_to_be_checked()
    context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", LANGS)
def test_after_saving_the_settings_the_confirmation_is_on_screen_and_focused(
    chromium, live_server, lang, size
):
    width, height = SIZES[size]
    context = context_of(chromium, size)
    page = context.new_page()
    page.goto(f"{live_server.url}/{lang}/cookies")
    settings = page.locator("form.consent-settings")
    settings.locator("label[for=settings-enhancement]").click()
    with page.expect_navigation():
        settings.locator("button[value=custom]").click()
    status = page.get_by_role("status")
    expect(status).to_be_visible()
    expect(status).to_be_focused()
    found = box(status)
    assert found["y"] >= 0 and found["y"] + found["height"] <= height, found
    facts = page.locator(".consent-facts")
    expect(facts).to_contain_text({"en": "Consent number", "fr": "Numéro de consentement"}[lang])
    assert_laid_out(page, width, "cookies saved")
    assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
@pytest.mark.parametrize("size", SIZES)
def test_a_failed_submit_lands_on_the_error_summary_which_takes_the_focus(
    chromium, live_server, size, javascript
):
    width, height = SIZES[size]
    context = context_of(chromium, size, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(f"{live_server.url}/fr/contact")
    page.fill("#email", "pas une adresse")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    found = box(summary)
    assert 0 <= found["y"] < height, found
    expect(summary.get_by_role("link", name="Saisissez votre prénom.")).to_have_attribute(
        "href", "#first_name"
    )
    assert page.title().startswith("Erreur\u00a0:")
    assert_laid_out(page, width, "contact errors")
    if javascript:
        assert serious_violations(page) == []
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_with_the_privacy_signal_a_one_line_notice_and_no_banner(chromium, live_server, size):
    width, _height = SIZES[size]
    context = context_of(chromium, size, extra_http_headers={"Sec-GPC": "1"})
    page = context.new_page()
    page.goto(f"{live_server.url}/en/")
    expect(page.locator(".consent-banner")).to_have_count(0)
    notice = page.locator(".consent-gpc-notice")
    expect(notice).to_contain_text("Global Privacy Control")
    assert box(notice)["height"] <= (100 if size == "phone" else 40)
    assert_laid_out(page, width, "gpc")
    assert serious_violations(page) == []
    context.close()


def test_on_a_phone_the_menu_is_one_line_and_opens_without_javascript(chromium, live_server):
    context = context_of(chromium, "phone", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/fr/privacy")
    header = page.locator(".header-bar")
    parts = [box(header.locator(s)) for s in (".brand", ".menu-narrow summary", ".lang-switch")]
    assert max(p["y"] for p in parts) - min(p["y"] for p in parts) < 20, parts  # one line
    assert box(header)["height"] < 80
    links = page.locator(".menu-narrow ul a")
    expect(links.first).to_be_hidden()
    page.locator(".menu-narrow summary").click()
    expect(links.first).to_be_visible()
    expect(page.locator(".menu-wide")).to_be_hidden()
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_access_page_fits_the_screen(app, chromium, live_server, smtp, size):
    from tests.helpers.contact import send_contact
    from tests.helpers.rights import ask

    send_contact(app.test_client(), "fr", company="Blanchisserie du Parc et des Environs Réunis")
    client = app.test_client()
    ask(client, "access", "ada@example.org", "fr")
    link = next(m for m in smtp.wait_for(2) if m["To"] == "ada@example.org")
    context = context_of(chromium, size)
    page = context.new_page()
    page.goto(live_server.url + verify_link(link))
    with page.expect_navigation():
        page.locator("main form button").click()
    expect(page.locator("dl.record").first).to_be_visible()
    assert_laid_out(page, SIZES[size][0], "access")
    assert serious_violations(page) == []
    context.close()
