"""French typography everywhere French is read: the catalogue, every page, every mail.

The rule: a narrow no-break space before ; ? !, a no-break space before : and inside « », and
« 1er » for the first of the month. It is kept in the catalogue (tests/helpers/typography.py says
how it is read); these tests fail on any French message, and on any rendered French page or mail,
that breaks it.
"""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from koki_site.rights.models import RightsRequest
from tests.helpers import soup
from tests.helpers.consent import decide
from tests.helpers.contact import send_contact
from tests.helpers.mail import text_of
from tests.helpers.newsletter import links, subscribe
from tests.helpers.rights import ask, csrf_of, verify_link
from tests.helpers.staff import csrf_token
from tests.helpers.typography import fixed, problems

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
FIRST_WITHOUT_ER = re.compile(
    rf"(?<![\d/])1 (?:{MONTHS}|janv\.|févr\.|avr\.|juil\.|sept\.|oct\.|nov\.|déc\.)"
)
RIGHTS = ("access", "rectification", "erasure", "restriction", "objection", "withdraw_consent", "post_mortem")
ACTIONS = {"rectification": "rectify", "erasure": "erase", "restriction": "restrict"}
ACTIONS.update({"objection": "restrict", "withdraw_consent": "withdraw", "post_mortem": "record"})


def test_the_rule_is_read_as_intended():
    assert problems("Qu’est-ce qu’un cookie ?") and problems("Note : ceci") and problems("« texte »")
    assert problems("Pourquoi\u202f?") == [] and problems("Note\u00a0: ceci") == []
    assert problems("«\u00a0texte\u00a0»") == [] and problems("à 12:30, https://www.cnil.fr, a@b.fr") == []
    assert problems('<a href="mailto:x@y.fr">x@y.fr</a>') == []
    assert fixed('Quoi ? Note : « ceci » ; <a href="https://x.fr?a=1">') == (
        'Quoi\u202f? Note\u00a0: «\u00a0ceci\u00a0»\u202f; <a href="https://x.fr?a=1">'
    )


def test_every_french_message_follows_the_spacing_rules():
    """The back office's too: staff read French as visitors do."""
    with FRENCH.open("rb") as handle:
        catalogue = read_po(handle)
    wrong = []
    for message in catalogue:
        msgid = message.id if isinstance(message.id, str) else (message.id or ("",))[0]
        if not msgid:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            wrong += [(msgid[:60], rule, excerpt) for rule, excerpt in problems(text)]
    assert wrong == []


def check(name, text):
    found = problems(text)
    assert found == [], (name, found)
    assert FIRST_WITHOUT_ER.findall(text) == [], (name, "« 1er » for the first of the month")


def page_text(response):
    page = soup(response)
    description = page.find("meta", attrs={"name": "description"})
    return page.get_text(" ") + " " + (description["content"] if description else "")


def mail_text(message):
    return f"{message['Subject']}\n{text_of(message)}"


@pytest.mark.db
def test_every_french_page_and_mail_follows_the_spacing_rules(app, client, smtp, staff):
    app.config.update(RIGHTS_MAILS_PER_ADDRESS_PER_HOUR=100, RIGHTS_MAIL_INTERVAL_MINUTES=0)
    app.config.update(POLICY_VERSION="2026-12-01")  # "Dernière mise à jour : 1er décembre 2026"
    pages, mails = {}, []

    def visit(name, response):
        pages[name] = page_text(response)
        return response

    # A first visit: the banner on every page; the GPC notice; the error pages.
    for path in ("/", "/privacy", "/cookies", "/legal", "/contact?topic=demo", "/newsletter", "/rights"):
        visit(path, client.get(f"/fr{path}"))
    for path in ("/my-requests", "/newsletter/check-your-mail", "/rights/sent", "/contact/sent"):
        visit(path, client.get(f"/fr{path}"))
    visit("404", client.get("/fr/nulle-part"))
    visit("405", client.put("/fr/contact"))
    visit("gpc", client.get("/fr/", headers={"Sec-GPC": "1"}))
    visit("cookies with gpc", client.get("/fr/cookies", headers={"Sec-GPC": "1"}))

    # Forms sent wrong, then right.
    visit("contact errors", send_contact(client, "fr", email="x", phone="12", message=""))
    visit("contact expired", client.post("/fr/contact", data={"message": "Bonjour"}))
    visit("newsletter errors", client.post("/fr/newsletter", data={"email": "x", "csrf_token": ""}))
    visit("rights errors", client.post("/fr/rights", data={"csrf_token": csrf_token(client, "/fr/rights")}))
    decide(client, "accept_all", lang="fr")
    visit("cookies saved", client.get("/fr/cookies?saved=1"))
    sent = send_contact(client, "fr", topic="quote")
    visit("contact sent", client.get(sent.headers["Location"]))
    visit("my requests", client.get("/fr/my-requests"))

    # The newsletter: its mail, confirm, unsubscribe, a bad link.
    subscribe(client, "ada@example.org", lang="fr")
    (confirmation,) = [m for m in smtp.wait_for(2) if "confirm" in links(m)]
    mails.append(confirmation)
    visit("newsletter confirm", client.get(links(confirmation)["confirm"]))
    visit("newsletter confirmed", client.post(links(confirmation)["confirm"]))
    visit("newsletter unsubscribe", client.get(links(confirmation)["unsubscribe"]))
    visit("newsletter unsubscribed", client.post(links(confirmation)["unsubscribe"]))
    visit("newsletter bad link", client.get("/fr/newsletter/confirm/abimé"))
    subscribe(client, "ada@example.org", lang="fr")  # subscribed again, for the rights below
    smtp.messages.clear()

    # Every right: its mail, the page to confirm, the page of the right, then its action done.
    for right in RIGHTS:
        ask(client, right, "ada@example.org", "fr")
        (verification,) = smtp.wait_for(1)
        mails.append(verification)
        smtp.messages.clear()
        path = verify_link(verification)
        visit(f"{right} verify", client.get(path))
        page = visit(right, client.post(path, data={"action": "verify"}))
        fields = {"csrf_token": csrf_of(page), "action": ACTIONS.get(right, "verify")}
        if right == "post_mortem":
            fields.update(designated_person="Byron", directives="Tout effacer.")
        if right == "rectification":
            visit(f"{right} errors", client.post(path, data={**fields, "first_name": ""}))
        visit(f"{right} done", client.post(path, data=fields))
    visit("link used", app.test_client().get(path))
    visit("rights bad link", client.get("/fr/rights/verify/abimé"))

    # The mails the back office sends to a visitor: an answer, a refusal, an extension, a reply.
    dpo, support = staff("dpo"), staff("support")
    for action, fields in (
        ("extend", {"reason": "Votre demande porte sur plusieurs années."}),
        ("answer", {"answer": "Voici nos éléments.", "decision": "done"}),
    ):
        ask(client, "post_mortem", "ada@example.org", "fr")
        (verification,) = smtp.wait_for(1)
        smtp.messages.clear()
        client.post(verify_link(verification), data={"action": "verify"})
        page = f"/staff/rights/{last_id(app, RightsRequest)}"
        dpo.post(f"{page}/{action}", data={"csrf_token": csrf_token(dpo, page), **fields})
        mails += smtp.wait_for(1)
        smtp.messages.clear()
    send_contact(client, "fr")
    smtp.messages.clear()
    message_page = f"/staff/messages/{last_id(app, ContactMessage)}"
    support.post(
        f"{message_page}/reply", data={"csrf_token": csrf_token(support, message_page), "body": "Merci."}
    )
    mails += smtp.wait_for(1)

    assert len(pages) > 40 and len(mails) >= 10
    for name, text in pages.items():
        check(name, text)
    for message in mails:
        check(message["Subject"], mail_text(message))
    assert "1er décembre 2026" in pages["/privacy"]


def last_id(app, model):
    with app.app_context():
        return db.session.scalar(select(func.max(model.id)))


def test_every_french_message_of_the_catalogue_follows_the_spacing_rules():
    """The back office's French too: staff read French as French."""
    with FRENCH.open("rb") as handle:
        catalogue = read_po(handle)
    wrong = [
        (str(message.id)[:60], rule, excerpt)
        for message in catalogue
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        for rule, excerpt in problems(text)
    ]
    assert wrong == []
