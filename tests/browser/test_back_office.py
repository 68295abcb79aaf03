"""The back office in real Chromium: a support agent's round, and every staff page on a phone.

The round: log in, open the newest message from the list, answer it in one step ("Send and
close"), land on the next one; axe-core finds nothing serious at each step. Then every staff page
at 390 px wide (a phone) has no sideways scroll, and is photographed at 390 by 844 and 1366 by 768.
"""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from tests.browser.test_consent_banner import screenshot_path
from tests.helpers.browser import context_of, serious_violations, viewport
from tests.helpers.contact import send_contact
from tests.helpers.mail import text_of
from tests.helpers.staff import add_account, log_in_chromium, seed_back_office, staff_pages

pytestmark = [pytest.mark.browser, pytest.mark.db]


def test_a_support_agents_round_open_reply_and_close_next(app, client, chromium, live_server, smtp):
    send_contact(client, "en", first_name="Grace", message="Our second site needs the tablets too.")
    send_contact(client, "en", first_name="Ada", message="Could you send a quote for twelve sites?")
    with app.app_context():
        ada, grace = db.session.scalars(select(ContactMessage).order_by(ContactMessage.id.desc())).all()
        ada_id, ada_ref, grace_id = ada.id, ada.reference, grace.id
    add_account(app, "support@koki.test", "support")
    smtp.messages.clear()
    context = context_of(chromium, "laptop", locale="en-GB")
    page = context.new_page()
    base = live_server.url
    log_in_chromium(page, base, "support@koki.test")
    page.goto(f"{base}/staff/messages?status=new")
    row = page.locator(f"#message-{ada_id}")
    expect(row).to_have_class("unread")
    expect(row.locator(".subject")).to_contain_text("Could you send a quote for twelve sites?")
    expect(row.locator(".reference")).to_have_text(ada_ref)
    assert serious_violations(page) == []

    with page.expect_navigation():
        row.locator(".subject a").click()
    box = page.get_by_label("Reply to the visitor")
    expect(box).to_have_value("Hello Ada,\n\n\n")  # the greeting, in view and editable
    assert serious_violations(page) == []
    box.fill("Hello Ada,\n\nHere is our quote for twelve sites.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send and close").click()
    expect(page).to_have_url(f"{base}/staff/messages/{grace_id}?status=new")  # the next one of the list
    expect(page.locator(".thread-entry.visitor")).to_contain_text("Our second site needs the tablets too.")
    expect(page.get_by_role("status").or_(page.locator(".flash-success"))).to_contain_text(
        f"{ada_ref} is closed"
    )
    assert serious_violations(page) == []
    page.screenshot(path=screenshot_path("staff-round-next-1366.png"), full_page=True)

    (mail,) = [m for m in smtp.wait_for(1) if m["To"] == "ada@example.org"]
    assert text_of(mail).startswith("Hello Ada,")
    with app.app_context():
        assert db.session.get(ContactMessage, ada_id).status == "closed"
    context.close()


def test_every_staff_page_fits_a_phone_and_passes_axe(app, client, chromium, live_server):
    pages = staff_pages(*seed_back_office(app, client))
    add_account(app, "all@koki.test", "support", "marketing", "dpo", "admin")
    add_account(app, "support-only@koki.test", "support")
    base = live_server.url
    for lang in ("fr", "en"):
        context = context_of(chromium, "phone", locale=lang)
        page = context.new_page()
        log_in_chromium(page, base, "all@koki.test")
        for name, path in pages.items():
            page.goto(f"{base}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, (lang, name, overflow)
            if lang == "fr":
                assert serious_violations(page) == [], name
        context.close()
    context = context_of(chromium, "phone", locale="fr")
    page = context.new_page()
    log_in_chromium(page, base, "support-only@koki.test")
    response = page.goto(f"{base}/staff/audit")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Accès refusé")
    expect(page.locator(".consent-banner")).to_have_count(0)
    expect(page.locator("nav.staff-nav")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=screenshot_path("staff-forbidden-fr-390.png"), full_page=True)
    context.close()


def test_a_saved_reply_typed_in_chromium_goes_above_the_signature(app, client, chromium, live_server, smtp):
    """Chromium sends the box's line breaks as CRLF: the insert and the mail must still find the
    signature's separator, "-- " with its trailing space."""
    send_contact(client, "en", first_name="Grace", message="What does it cost for three sites?")
    with app.app_context():
        message_id = db.session.scalars(select(ContactMessage.id)).one()
    add_account(app, "support@koki.test", "support")
    context = context_of(chromium, "laptop", locale="en-GB")
    page = context.new_page()
    base = live_server.url
    log_in_chromium(page, base, "support@koki.test")
    page.goto(f"{base}/staff/messages/signature")
    page.locator("#signature_en").fill("Camille, KOKI support")
    with page.expect_navigation():
        page.get_by_role("button", name="Save my signatures").click()
    page.goto(f"{base}/staff/messages/saved-replies")
    page.locator("#language").select_option("en")
    page.locator("#title").fill("Prices")
    page.locator("#body").fill("Here is our price list.")
    with page.expect_navigation():
        page.get_by_role("button", name="Add the saved reply").click()

    page.goto(f"{base}/staff/messages/{message_id}")
    box = page.get_by_label("Reply to the visitor")
    expect(box).to_have_value("Hello Grace,\n\n\n\n-- \nCamille, KOKI support")
    box.click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.type("Thanks for asking.")
    page.locator("select[name=saved]").select_option(label="Prices")
    with page.expect_navigation():
        page.get_by_role("button", name="Insert into the reply").click()
    expect(box).to_have_value(
        "Hello Grace,\n\nThanks for asking.\n\nHere is our price list.\n\n-- \nCamille, KOKI support"
    )
    smtp.messages.clear()
    with page.expect_navigation():
        page.get_by_role("button", name="Send", exact=True).click()
    (mail,) = smtp.wait_for(1)
    text = text_of(mail).replace("\r\n", "\n")
    assert text.startswith(
        "Hello Grace,\n\nThanks for asking.\n\nHere is our price list.\n\n-- \nCamille, KOKI support\n"
    )
    context.close()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_staff_menu_is_one_line_on_a_laptop_and_the_header_short_on_a_phone(
    app, chromium, live_server, lang
):
    """Every page of an account with all the roles: one row of links at 1366 px; on a phone the
    header (name, logout, the menu as a line that scrolls sideways) leaves the page its screen."""
    add_account(app, "all@koki.test", "support", "marketing", "dpo", "admin", display_name="Claire Martin")
    context = context_of(chromium, "laptop", locale=lang)
    page = context.new_page()
    log_in_chromium(page, live_server.url, "all@koki.test")
    page.goto(f"{live_server.url}/staff/")
    tops = page.eval_on_selector_all(
        "nav.staff-nav li", "items => items.filter(i => i.offsetParent).map(i => i.offsetTop)"
    )
    assert len(tops) == 12 and len(set(tops)) == 1, tops
    expect(page.locator(".staff-user")).to_have_text("Claire Martin")
    expect(page.locator("a.staff-own")).to_have_count(2)
    page.set_viewport_size(viewport("phone"))
    header = page.locator("header.staff-header").bounding_box()
    page.screenshot(path=screenshot_path(f"staff-menu-{lang}-390.png"))
    assert header["height"] <= 110, header
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    expect(page.locator("nav.staff-nav li.own a").first).to_be_attached()
    page.screenshot(path=screenshot_path(f"staff-menu-{lang}-390.png"))
    context.close()
