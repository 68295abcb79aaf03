"""The Nu Html Checker (vnu-jar, on this machine's Java) on the site's pages: errors found.

The site runs in this process on a fresh SQLite database; Flask's test client fetches each public
page in French and English (the showcase, the policies, the forms and their confirmations, the
demonstration request), then, logged in as an account with every role, the staff pages (the
inbox and a message, the rights desk and a request, the accounts), and the HTML part of the mails
to visitors (a newsletter confirmation in each language). Every page's HTML goes to one run of
vnu. Prints each error with its page; the target is none. Exits 0 (a measurement), 1 if a page
did not answer 200.

Run from the project root:  .venv/bin/python bench/html_check.py
The first run installs vnu-jar into bench/node_modules (git-ignored) from the npm registry.
"""

import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from koki_site import create_app  # noqa: E402
from koki_site.core import schema  # noqa: E402
from koki_site.extensions import db  # noqa: E402
from koki_site.mail import OutboxMail, delivery  # noqa: E402
from koki_site.staff import accounts  # noqa: E402
from tests.helpers import FORM_PAGES, PAGES  # noqa: E402
from tests.helpers.contact import VALID, csrf_token  # noqa: E402
from tests.helpers.staff import log_in  # noqa: E402

VNU = ROOT / "bench" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PUBLIC = (*PAGES, *FORM_PAGES)
STAFF = ("/staff/", "/staff/messages", "/staff/rights", "/staff/accounts", "/staff/messages/saved-replies")
PASSWORD = "html-check-password-0123456789"


def make_app(tmp):
    app = create_app(
        {
            "SECRET_KEY": secrets.token_hex(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/check.db",
            "SESSION_COOKIE_SECURE": False,
            "MAIL_DELIVERY": "worker",  # no worker runs: the mail stays in the outbox
            "RATELIMIT_ENABLED": False,
            "STAFF_2FA_ROLES": [],  # logged in with the password alone: the pages, not the login, are checked
        },
        instance_path=Path(tmp) / "instance",
    )
    with app.app_context():
        schema.upgrade()
        accounts.create(
            "all@koki.test", ("support", "marketing", "dpo", "admin"), PASSWORD, name="Claire Martin"
        )
        db.session.commit()
    return app


def pages(app):
    """(name, html) of every page checked; raises if one does not answer 200."""
    visitor, fetched = app.test_client(), []
    for lang in ("fr", "en"):
        for path in PUBLIC:
            fetched.append((f"/{lang}{path}", visitor.get(f"/{lang}{path}")))
        demo = {
            **VALID,
            "topic": "demo",
            "message": "",
            "csrf_token": csrf_token(visitor, f"/{lang}/contact"),
        }
        sent = visitor.post(f"/{lang}/contact", data=demo)
        fetched.append((sent.headers["Location"], visitor.get(sent.headers["Location"].split("#")[0])))
        subscribe = {
            "email": f"html-check-{lang}@example.org",
            "csrf_token": csrf_token(visitor, f"/{lang}/newsletter"),
        }
        visitor.post(f"/{lang}/newsletter", data=subscribe)
    staff = app.test_client()
    log_in(staff, "all@koki.test", PASSWORD)
    for path in STAFF:
        fetched.append((path, staff.get(path, headers={"Accept-Language": "fr"})))
    message = re.search(r'href="(/staff/messages/\d+)', staff.get("/staff/messages").get_data(as_text=True))
    if message:
        fetched.append((message.group(1), staff.get(message.group(1))))
    wrong = [f"{name}: {response.status_code}" for name, response in fetched if response.status_code != 200]
    if wrong:
        raise RuntimeError("pages that did not answer 200: " + ", ".join(wrong))
    return [(name, response.get_data(as_text=True)) for name, response in fetched] + mails(app)


def mails(app):
    """(name, html) of the HTML part of each mail to a visitor waiting in the outbox."""
    with app.app_context():
        messages = [delivery.message_of(mail) for mail in db.session.scalars(db.select(OutboxMail))]
    return [
        (f"mail {message['Subject']}", message.get_body(("html",)).get_content())
        for message in messages
        if message.get_body(("html",))
    ]


def main():
    if not VNU.exists():
        npm = ["npm", "install", "--prefix", "bench", "--no-save", "--no-audit", "--no-fund", "vnu-jar"]
        subprocess.run(npm, cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory(prefix="koki-html-") as tmp:
        try:
            checked = pages(make_app(tmp))
        except RuntimeError as error:
            print(error)
            sys.exit(1)
        files = {}
        for number, (name, html) in enumerate(checked):
            path = Path(tmp) / f"page-{number:03d}.html"
            path.write_text(html)
            files[path] = name
        vnu = ["java", "-jar", VNU, "--errors-only", "--format", "gnu", *map(str, files)]
        done = subprocess.run(vnu, capture_output=True, text=True, check=False)
    errors = [line for line in done.stderr.splitlines() if line.strip()]
    for line in errors:
        for path, name in files.items():  # the page's address, not its temporary file's
            line = line.replace(f'"file:{path}"', name)
        print(line)
    print(f"{len(checked)} pages checked by the Nu Html Checker: {len(errors)} errors (target 0)")


if __name__ == "__main__":
    main()
