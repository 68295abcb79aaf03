"""Screenshots of every public page, as a visitor meets it, in artifacts/screenshots/.

Each page in French and English, on a 390x844 phone and a 1366x768 laptop, full length: the
pages of a first visit (banner shown), the notice a browser sending Sec-GPC gets, and the pages
met on the way through each form (errors, confirmations) and each right (verify, see, erase,
correct…), the settings after saving, the error pages (the app's, and those nginx shows while
gunicorn is down), the HTML part of the mails visitors got, light and dark, and every staff page
(an account with every role, in a second site with a message, a request and a subscriber). The site runs
in this process (Werkzeug in a thread, a fresh SQLite database); mail stays in the outbox, where
the links are read.

Run from the project root:  .venv/bin/python bench/screenshots.py [--only SUBSTRING]
Open the PNGs and look at them: a page is done when it looks right, not when it renders.
"""

import argparse
import logging
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from koki_site import create_app  # noqa: E402
from koki_site.core import outage_pages, schema  # noqa: E402
from koki_site.extensions import db  # noqa: E402
from koki_site.mail import OutboxMail, delivery  # noqa: E402
from tests.helpers.browser import CHROMIUM, CHROMIUM_ARGS, SIZES, LiveServer, context_of  # noqa: E402
from tests.helpers.newsletter import subscribe  # noqa: E402
from tests.helpers.rights import ask  # noqa: E402
from tests.helpers.staff import add_account, log_in_chromium, seed_back_office, staff_pages  # noqa: E402

OUT = ROOT / "artifacts" / "screenshots"
FIRST_VISIT = {
    "home": "/",
    "product": "/product",
    "sector-healthcare": "/sectors/healthcare",
    "sector-food-industry": "/sectors/food-industry",
    "sector-cleaning-companies": "/sectors/cleaning-companies",
    "sector-hospitality": "/sectors/hospitality",
    "sector-public-buildings": "/sectors/public-buildings",
    "about": "/about",
    "privacy": "/privacy",
    "cookies": "/cookies",
    "legal": "/legal",
    "contact": "/contact?topic=demo",
    "newsletter": "/newsletter",
    "rights": "/rights",
    "my-requests": "/my-requests",
    "404": "/no-such-page",
}
MESSAGES = {"fr": "Bonjour, je voudrais une démonstration.", "en": "Hello, a demo, please."}
PEOPLE = {"fr": ("Émilie", "Dupré", "emilie@example.org"), "en": ("Ada", "Lovelace", "ada@example.org")}


def make_app(tmp, **settings):
    app = create_app(
        {
            "SECRET_KEY": "screenshots-secret-key-0123456789abcdef0123",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db",
            "SESSION_COOKIE_SECURE": False,
            "MAIL_DELIVERY": "worker",  # no worker runs: the mail stays in the outbox, where its link is read
            "RATELIMIT_ENABLED": False,
            # One person goes through every right and form, several times over.
            "RIGHTS_MAILS_PER_ADDRESS_PER_HOUR": 1000,
            "RIGHTS_MAIL_INTERVAL_MINUTES": 0,
            "NEWSLETTER_MAIL_INTERVAL_MINUTES": 0,
            "STATS_FLUSH_SECONDS": 0,  # views written at once: nothing to flush once the database is gone
            **settings,
        },
        instance_path=Path(tmp) / "instance",
    )
    with app.app_context():
        schema.upgrade()
    return app


def last_link(app, pattern):
    """The path of the newest link matching pattern in the outbox."""
    with app.app_context():
        for body in db.session.scalars(select(OutboxMail.body_text).order_by(OutboxMail.id.desc())):
            found = re.search(r"https?://[^/\s]+(" + pattern + r"[\w.-]+)", body)
            if found:
                return found.group(1)
    raise LookupError(pattern)


class Shooter:
    def __init__(self, browser, server, only):
        self.browser, self.server, self.only = browser, server, only
        self.taken = []

    def context(self, size, **options):
        return context_of(self.browser, size, **options)

    def shot(self, page, name, lang, size, first_screen=False):
        """The whole page; with first_screen, also what shows before any scrolling (-screen.png)."""
        filename = f"{name}-{lang}-{size}.png"
        if self.only and self.only not in filename:
            return
        page.wait_for_load_state("load")
        page.screenshot(path=OUT / filename, full_page=True)
        self.taken.append(filename)
        if first_screen:
            page.screenshot(path=OUT / filename.replace(".png", "-screen.png"))
            self.taken.append(filename.replace(".png", "-screen.png"))

    def go(self, page, path):
        return page.goto(self.server.url + path)


def first_visit(shooter, lang, size):
    context = shooter.context(size)
    page = context.new_page()
    for name, path in FIRST_VISIT.items():
        shooter.go(page, f"/{lang}{path}")
        shooter.shot(page, name, lang, size, first_screen=True)
    shooter.go(page, f"/{lang}/")
    page.locator(".consent-banner summary").click()  # "Choose": the purposes, over the page
    shooter.shot(page, "banner-choose", lang, size, first_screen=True)
    if size == "phone":
        shooter.go(page, f"/{lang}/legal")
        page.locator(".menu-narrow summary").click()
        shooter.shot(page, "menu-open", lang, size, first_screen=True)
    context.close()
    context = shooter.context(size, extra_http_headers={"Sec-GPC": "1"})
    page = context.new_page()
    shooter.go(page, f"/{lang}/")
    shooter.shot(page, "home-gpc", lang, size, first_screen=True)
    shooter.go(page, f"/{lang}/cookies")
    shooter.shot(page, "cookies-gpc", lang, size)
    context.close()


def accept_all(page):
    with page.expect_navigation():
        page.locator(".consent-banner button[value=accept_all]").click()


def submit(page, selector="main form button[type=submit]"):
    with page.expect_navigation():
        page.locator(selector).last.click()


def forms(shooter, app, lang, size):
    first, last, email = PEOPLE[lang]
    context = shooter.context(size)
    page = context.new_page()
    shooter.go(page, f"/{lang}/")
    accept_all(page)

    shooter.go(page, f"/{lang}/cookies")
    page.locator("label[for=settings-statistics]").click()
    submit(page, "form.consent-settings button[value=custom]")
    shooter.shot(page, "cookies-saved", lang, size, first_screen=True)

    shooter.go(page, f"/{lang}/contact")
    page.fill("#email", "not an address")
    page.fill("#phone", "12")
    submit(page)
    shooter.shot(page, "contact-errors", lang, size, first_screen=True)
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    page.fill("#email", email)
    page.fill("#phone", "06 12 34 56 78")
    page.fill(
        "#message", "Bonjour, je voudrais une démonstration." if lang == "fr" else "Hello, a demo, please."
    )
    submit(page)
    shooter.shot(page, "contact-sent", lang, size)
    shooter.go(page, f"/{lang}/contact")
    shooter.shot(page, "contact-prefilled", lang, size)
    shooter.go(page, f"/{lang}/my-requests")
    shooter.shot(page, "my-requests-tracked", lang, size)

    shooter.go(page, f"/{lang}/newsletter")
    page.fill("#email", email)
    submit(page)
    shooter.shot(page, "newsletter-check-mail", lang, size)
    shooter.go(page, last_link(app, f"/{lang}/newsletter/confirm/"))
    shooter.shot(page, "newsletter-confirm", lang, size)
    submit(page)
    shooter.shot(page, "newsletter-confirmed", lang, size)
    shooter.go(page, last_link(app, f"/{lang}/newsletter/unsubscribe/"))
    shooter.shot(page, "newsletter-unsubscribe", lang, size)
    submit(page)
    shooter.shot(page, "newsletter-unsubscribed", lang, size)
    shooter.go(page, f"/{lang}/newsletter/confirm/not-a-token")
    shooter.shot(page, "newsletter-bad-link", lang, size)
    context.close()


def rights(shooter, app, lang, size):
    first, last, email = PEOPLE[lang]
    context = shooter.context(size)
    page = context.new_page()
    shooter.go(page, f"/{lang}/")
    accept_all(page)
    shooter.go(page, f"/{lang}/rights")
    submit(page)
    shooter.shot(page, "rights-errors", lang, size)
    for right, action in (
        ("access", None),
        ("rectification", "rectify"),
        ("restriction", "restrict"),
        ("withdraw_consent", "withdraw"),
        ("post_mortem", "record"),
        ("erasure", "erase"),
    ):
        shooter.go(page, f"/{lang}/rights")
        page.locator(f"input[name=right][value={right}]").check()
        page.fill("#email", email)
        submit(page)
        if right == "access":
            shooter.shot(page, "rights-sent", lang, size)
        link = last_link(app, f"/{lang}/rights/verify/")
        shooter.go(page, link)
        if right == "access":
            shooter.shot(page, "rights-verify", lang, size)
        submit(page)
        shooter.shot(page, f"rights-{right}", lang, size)
        if right == "post_mortem":
            page.fill("#designated_person", f"{first} {last}, 01 23 45 67 89")
            page.fill("#directives", "…")
        if action:
            submit(page)
            shooter.shot(page, f"rights-{right}-done", lang, size)
        if right == "access":
            other = shooter.context(size)
            other_page = other.new_page()
            shooter.go(other_page, link)
            shooter.shot(other_page, "rights-link-used", lang, size)
            other.close()
    shooter.go(page, f"/{lang}/rights/verify/not-a-token")
    shooter.shot(page, "rights-bad-link", lang, size)
    context.close()


def seed_contact(shooter, app, lang, size):
    """A contact message from the person, so that the rights pages have something to show."""
    first, last, email = PEOPLE[lang]
    context = shooter.context(size)
    page = context.new_page()
    shooter.go(page, f"/{lang}/contact")
    page.fill("#first_name", first)
    page.fill("#last_name", last)
    page.fill("#email", email)
    page.fill("#company", "Blanchisserie du Parc" if lang == "fr" else "Park Laundry")
    page.fill("#phone", "06 12 34 56 78")
    page.fill("#message", "Bonjour, quels sont vos tarifs ?" if lang == "fr" else "Hello, your prices?")
    submit(page)
    context.close()


def outages(shooter, app, lang, size):
    """The pages nginx shows itself (gunicorn down, a body too large), served here as nginx would."""
    context = shooter.context(size)
    page = context.new_page()
    for path in outage_pages.write(app):
        name, page_lang = path.name.split(".")[:2]
        if page_lang != lang:
            continue
        url, body = f"{shooter.server.url}/{lang}/{name}", path.read_bytes()
        page.route(url, lambda route, _request, body=body: route.fulfill(status=503, body=body))
        page.goto(url)
        shooter.shot(page, f"nginx-{name}", lang, size, first_screen=True)
    context.close()


def mails(shooter, app, lang, size):
    """The HTML part of two mails a visitor gets (the newsletter's and a rights request's
    confirmations), light and dark."""
    visitor, address = app.test_client(), f"mail-{lang}-{size}@example.org"
    subscribe(visitor, address, lang)
    ask(visitor, "access", email=address, lang=lang)
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == address))
        kinds = {mail.ref.split(":")[0]: delivery.message_of(mail) for mail in waiting}
    for scheme in ("light", "dark"):
        context = shooter.context(size, color_scheme=scheme)
        page = context.new_page()
        for kind, message in kinds.items():
            page.set_content(message.get_body(("html",)).get_content())
            shooter.shot(page, f"mail-{kind}-{scheme}", lang, size)
        context.close()


def staff(shooter, app):
    """Every staff page, as an account with every role sees it, in both languages and sizes."""
    pages = staff_pages(*seed_back_office(app, app.test_client()))
    add_account(app, "all@koki.test", "support", "marketing", "dpo", "admin")
    for lang in ("fr", "en"):
        for size in SIZES:
            context = shooter.context(size, locale=lang)
            page = context.new_page()
            log_in_chromium(page, shooter.server.url, "all@koki.test")
            for name, path in pages.items():
                shooter.go(page, path)
                shooter.shot(page, f"staff-{name}", lang, size)
            context.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="take only the screenshots whose file name contains this")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        app = make_app(tmp)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        with LiveServer(app) as server:
            shooter = Shooter(browser, server, args.only)
            for lang in ("fr", "en"):
                for size in SIZES:
                    first_visit(shooter, lang, size)
                    forms(shooter, app, lang, size)
                    seed_contact(shooter, app, lang, size)
                    mails(shooter, app, lang, size)
                    rights(shooter, app, lang, size)
                    outages(shooter, app, lang, size)
        with tempfile.TemporaryDirectory() as staff_tmp:
            staff_app = make_app(staff_tmp, STAFF_2FA_ROLES=[])  # the admin logs in without a code
            with LiveServer(staff_app) as server:
                staff_shooter = Shooter(browser, server, args.only)
                staff(staff_shooter, staff_app)
        browser.close()
    print(f"{len(shooter.taken) + len(staff_shooter.taken)} screenshots in {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
