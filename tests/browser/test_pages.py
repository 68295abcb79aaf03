"""The home and privacy pages in real Chromium: nothing leaves the site, no console error, axe-core."""

from urllib.parse import urlparse

import pytest

from tests.helpers.browser import serious_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    "path", ["/", "/privacy", "/cookies", "/legal", "/contact", "/newsletter", "/rights"]
)
def test_page_in_chromium(chromium, live_server, lang, path):
    context = chromium.new_context()
    page = context.new_page()
    requests, problems = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    response = page.goto(f"{live_server.url}/{lang}{path}")
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    site = urlparse(live_server.url).netloc
    assert [url for url in requests if urlparse(url).netloc != site] == []
    assert problems == []
    # A form's page may carry the session cookie of its CSRF token; no other page any.
    allowed = {"session"} if path in ("/contact", "/newsletter", "/rights") else set()
    assert {cookie["name"] for cookie in context.cookies()} <= allowed

    assert serious_violations(page) == []
    context.close()


def test_keyboard_skip_link_moves_focus_to_the_content(chromium, live_server):
    page = chromium.new_page()
    page.goto(f"{live_server.url}/en/privacy")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()
