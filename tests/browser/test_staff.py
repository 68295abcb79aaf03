"""The back office in real Chromium: a support member answers a message that carries a script."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_consent_banner import screenshot_path
from tests.helpers.browser import serious_violations
from tests.helpers.contact import send_contact
from tests.helpers.staff import STAFF_PASSWORD, add_account

pytestmark = [pytest.mark.browser, pytest.mark.db]
PAYLOAD = '<script>alert("xss")</script><img src=x onerror="alert(1)">'


def test_support_reads_a_hostile_message_and_replies(app, client, chromium, live_server):
    send_contact(client, "en", first_name="<b>Eve</b>", company=PAYLOAD, message=PAYLOAD)
    add_account(app, "support@koki.test", "support")
    context = chromium.new_context()
    page = context.new_page()
    dialogs, problems = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))

    page.goto(f"{live_server.url}/staff/messages")
    expect(page).to_have_url(f"{live_server.url}/staff/login?next=%2Fstaff%2Fmessages")
    assert serious_violations(page) == []
    page.get_by_label("Email").fill("support@koki.test")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/staff/messages")
    assert serious_violations(page) == []

    with page.expect_navigation():
        page.locator("tbody a").first.click()
    expect(page.locator(".thread-entry.visitor .pre")).to_have_text(PAYLOAD)
    assert serious_violations(page) == []

    page.get_by_label("Reply to the visitor").fill("Thank you, we will call you.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".thread-entry.reply .pre")).to_have_text("Thank you, we will call you.")
    page.screenshot(path=screenshot_path("staff-message-en.png"), full_page=True)

    assert dialogs == []
    assert problems == []
    context.close()
