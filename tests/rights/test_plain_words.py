"""The verified rights pages in plain words: labels, values and dates a person reads."""

import re

import pytest
from sqlalchemy import select

from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from koki_site.rights.models import RightsRequest
from tests.helpers import LANGS, soup, visible_text
from tests.helpers.contact import send_contact
from tests.helpers.newsletter import links, subscribe
from tests.helpers.rights import ask, csrf_of, verify_link

pytestmark = pytest.mark.db
SNAKE_CASE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@pytest.fixture
def ada(app, smtp):
    """Ada wrote (with a phone and a topic) and subscribed; the mailbox starts empty."""
    send_contact(app.test_client(), "fr", topic="demo", phone="+33 6 12 34 56 78")
    subscribe(app.test_client(), "ada@example.org")
    for message in smtp.wait_for(2):
        if "confirm" in links(message):
            app.test_client().post(links(message)["confirm"])
    smtp.messages.clear()


def verified(client, smtp, right, lang):
    assert ask(client, right, "ada@example.org", lang).status_code == 303
    (mail,) = smtp.wait_for(1)
    smtp.messages.clear()
    path = verify_link(mail)
    page = client.post(path, data={"action": "verify"})
    assert page.status_code == 200
    return path, page


def rows(page):
    """[(label, value)] of every record shown."""
    return [
        (dt.get_text(" ", strip=True), dt.find_next_sibling("dd").get_text(" ", strip=True))
        for dt in soup(page).select("dl.record dt")
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_the_access_page_holds_no_field_name_code_or_iso_timestamp(app, client, smtp, ada, lang):
    _, page = verified(client, smtp, "access", lang)
    text = soup(page).find("main").get_text(" ")
    assert SNAKE_CASE.findall(text) == []
    assert ISO_MOMENT.findall(text) == []
    words = {
        "fr": {
            "Prénom": "Ada",
            "Téléphone": "06 12 34 56 78",
            "Objet": "Une démonstration",
            "Langue": "Français",
            "Base légale": "Intérêts légitimes (RGPD, art. 6.1.f)",
            "Statut": "Réponse envoyée",
        },
        "en": {
            "First name": "Ada",
            "Telephone": "06 12 34 56 78",
            "Subject": "A demonstration",
            "Language": "Français",
            "Legal basis": "Legitimate interests (GDPR Art. 6(1)(f))",
            "Status": "Answered",
        },
    }[lang]
    for label, value in words.items():
        assert value in [v for shown_label, v in rows(page) if shown_label == label], label
    received = {
        "fr": r"\d{1,2}(er)? \w+ \d{4} à \d{2}:\d{2}",  # 1er décembre 2026 à 03:05, Paris time
        "en": r"\w+ \d{1,2}, \d{4} at \d{1,2}:\d{2}\s[AP]M",
    }
    moments = [value for label, value in rows(page) if label in ("Date de réception", "Received")]
    assert moments and all(re.fullmatch(received[lang], value) for value in moments), moments


@pytest.mark.parametrize("lang", LANGS)
def test_the_erasure_page_says_what_was_done_not_when_we_will_answer(app, client, smtp, ada, lang):
    path, _ = verified(client, smtp, "erasure", lang)
    done = client.post(path, data={"action": "erase"})
    text = visible_text(done)
    removed = {
        "en": ("1 message sent through our contact form", "1 newsletter subscription"),
        "fr": ("1 message envoyé par notre formulaire de contact", "1 abonnement à la newsletter"),
    }[lang]
    for sentence in removed:
        assert sentence in text
    assert {"en": "at the latest", "fr": "au plus tard"}[lang] not in text
    assert SNAKE_CASE.findall(soup(done).find("main").get_text(" ")) == []


@pytest.mark.parametrize("lang", LANGS)
def test_rectification_shows_the_current_details_and_can_clear_an_optional_one(app, client, smtp, ada, lang):
    path, page = verified(client, smtp, "rectification", lang)
    form = soup(page).find("main").find("form", attrs={"method": "post"})
    values = {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")}
    assert values["first_name"] == "Ada" and values["last_name"] == "Lovelace"
    assert values["company"] == "Analytical Engines"
    assert values["phone"] == "06 12 34 56 78"  # as a French reader writes it
    response = client.post(
        path,
        data={**values, "action": "rectify", "last_name": "King", "phone": "", "csrf_token": csrf_of(page)},
    )
    assert response.status_code == 200
    with app.app_context():
        (message,) = db.session.scalars(select(ContactMessage)).all()
        assert (message.first_name, message.last_name, message.phone) == ("Ada", "King", "")
        assert message.company == "Analytical Engines"
        (request,) = db.session.scalars(select(RightsRequest)).all()
        assert request.status == "done" and '"changed": ["last_name", "phone"]' in request.outcome


def test_rectification_stores_a_corrected_phone_in_e164_and_refuses_a_wrong_one(app, client, smtp, ada):
    path, page = verified(client, smtp, "rectification", "en")
    details = {"first_name": "Ada", "last_name": "Lovelace", "company": "", "csrf_token": csrf_of(page)}
    wrong = client.post(path, data={**details, "action": "rectify", "phone": "12"})
    assert wrong.status_code == 400
    assert soup(wrong).find(id="error-summary").find("a", href="#phone")
    client.post(path, data={**details, "action": "rectify", "phone": "+44 20 7946 0123"})
    with app.app_context():
        (message,) = db.session.scalars(select(ContactMessage)).all()
        assert message.phone == "+442079460123" and message.company == ""


def test_rectification_with_nothing_to_correct_says_so(app, client, smtp):
    _, page = verified(client, smtp, "rectification", "en")
    assert "nothing to correct" in visible_text(page)
    assert soup(page).find("input", attrs={"name": "first_name"}) is None


@pytest.mark.parametrize("lang", LANGS)
def test_recorded_directives_say_by_when_the_dpo_confirms_them(app, client, smtp, lang):
    path, page = verified(client, smtp, "post_mortem", lang)
    data = {"designated_person": "Byron", "directives": "Tout effacer.", "csrf_token": csrf_of(page)}
    text = visible_text(client.post(path, data={**data, "action": "record"}))
    assert {"en": "at the latest", "fr": "au plus tard le"}[lang] in text
