"""The contact form: stored with its legal basis and deletion date, or refused, input kept."""

from datetime import datetime

import pytest
from sqlalchemy import func, select

from koki_site import create_app
from koki_site.contact.models import ContactMessage
from koki_site.extensions import db
from tests.conftest import settings
from tests.helpers import LANGS, soup, visible_text
from tests.helpers.contact import VALID, send_contact
from tests.helpers.mail import text_of

pytestmark = pytest.mark.db


def textarea(page):
    """The message as the browser shows it: HTML drops the newline that opens a textarea."""
    return page.find("textarea", attrs={"name": "message"}).get_text().removeprefix("\r\n")


def stored(app):
    with app.app_context():
        return db.session.scalars(select(ContactMessage)).all()


@pytest.mark.parametrize("lang", LANGS)
def test_the_form_has_the_spec_fields_and_the_art13_notice(client, lang):
    response = client.get(f"/{lang}/contact")
    page = soup(response)
    names = {tag["name"] for tag in page.find("main").find_all(["input", "textarea"]) if tag.get("name")}
    assert {"first_name", "last_name", "email", "company", "phone", "message", "csrf_token"} <= names
    notice = visible_text(response).split(page.find(id="notice-title").get_text().lower())[1]
    assert {"en": "12 months", "fr": "12 mois"}[lang] in notice
    assert {"en": "legitimate interests", "fr": "intérêts légitimes"}[lang] in notice
    assert page.find("aside").find("a", href=f"/{lang}/privacy")


def test_a_valid_message_is_stored_with_its_legal_basis_reference_and_deletion_date(app, client, smtp):
    response = send_contact(client, "fr")
    assert response.status_code == 303
    (message,) = stored(app)
    assert message.reference == f"KOKI-{message.received_at.year}-{message.id:05d}"
    assert response.headers["Location"] == f"/fr/contact/sent/{message.reference}#main"
    assert message.reference.lower() in visible_text(client.get(response.headers["Location"]))
    assert (message.legal_basis, message.language) == ("legitimate_interests", "fr")
    assert message.policy_version == app.config["POLICY_VERSION"] and message.purpose
    assert message.phone == "+33612345678" and message.email == "ada@example.org"
    received, deleted = message.received_at, message.delete_after
    assert (deleted.year, deleted.month, deleted.day) == (received.year + 1, received.month, received.day)
    (notification,) = smtp.wait_for(1)
    assert notification["To"] == app.config["SUPPORT_EMAIL"]
    assert message.reference in notification["Subject"]
    body = text_of(notification)
    assert f"/staff/messages/{message.id}" in body
    assert "ada@example.org" not in body and "démonstration" not in body  # no visitor data in mail


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"last_name": "   "}, "last_name"),
        ({"email": ""}, "email"),
        ({"email": "not an address"}, "email"),
        ({"email": "ada@example.org\r\nBcc: everyone@example.org"}, "email"),
        ({"first_name": "Ada\nBcc: x@example.org"}, "first_name"),
        ({"last_name": "Love\rlace"}, "last_name"),
        ({"company": "ACME\r\nX-Evil: 1"}, "company"),
        ({"phone": "0612\n345678"}, "phone"),
        ({"phone": "12"}, "phone"),
        ({"phone": "not a number"}, "phone"),
        ({"message": ""}, "message"),
        ({"message": "x" * 5001}, "message"),
        ({"message": "nul \0 byte"}, "message"),
        ({"first_name": "A" * 101}, "first_name"),
        ({"company": "C" * 201}, "company"),
    ],
)
def test_invalid_input_gets_400_with_the_input_kept_and_a_message_per_field(app, client, fields, field):
    response = send_contact(client, "en", **fields)
    assert response.status_code == 400
    page = soup(response)
    assert page.find(id=f"{field}-error").get_text(strip=True)
    assert page.find(id=field)["aria-invalid"] == "true"
    if field != "message":
        assert textarea(page) == VALID["message"]
    else:
        assert page.find("input", attrs={"name": "email"})["value"] == VALID["email"]
    assert stored(app) == []


def test_error_messages_are_in_the_visitors_language_and_say_how_to_fix_the_field(client):
    page = soup(send_contact(client, "fr", email="nope", message="x" * 5001))
    email = page.find(id="email-error").get_text(" ", strip=True)
    assert email == "Erreur\u00a0: Saisissez une adresse e-mail au bon format, par exemple nom@exemple.fr."
    # The limit in French number format, and how far over it the text is.
    message = page.find(id="message-error").get_text()
    assert "5\u202f000 caractères au plus (il en compte 5\u202f001)" in message


@pytest.mark.parametrize("token", ["", "forged-or-expired-token"])
def test_a_missing_or_expired_csrf_token_keeps_the_text(app, client, token):
    response = client.post("/en/contact", data={**VALID, "csrf_token": token})
    assert response.status_code == 400
    page = soup(response)
    assert "expired" in page.find(attrs={"role": "alert"}).get_text()
    assert textarea(page) == VALID["message"]
    assert page.find("input", attrs={"name": "csrf_token"})["value"]  # a fresh token to send again
    assert stored(app) == []


def test_the_honeypot_stores_nothing_and_tells_nothing(app, client):
    response = send_contact(client, website="http://spam.example")
    assert response.status_code == 303 and response.headers["Location"] == "/en/contact/sent#main"
    assert stored(app) == []


def test_when_the_database_is_down_the_visitor_is_told_and_keeps_the_text(tmp_path):
    app = create_app(settings(f"sqlite:///{tmp_path}/missing/dir/koki.db"), instance_path=tmp_path)
    response = send_contact(app.test_client(), "fr")
    assert response.status_code == 503
    page = soup(response)
    assert "n’a pas pu être enregistré" in page.find(attrs={"role": "alert"}).get_text()
    assert textarea(page) == VALID["message"]


def test_the_contact_page_sets_only_the_session_cookie_of_its_form(client):
    lines = client.get("/en/contact").headers.getlist("Set-Cookie")
    assert [line.split("=")[0] for line in lines] == ["session"]
    assert "HttpOnly" in lines[0] and "SameSite=Lax" in lines[0]


def test_a_second_message_gets_the_next_reference(app, client):
    send_contact(client)
    send_contact(client, email="other@example.org")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ContactMessage)) == 2
    references = sorted(m.reference for m in stored(app))
    assert references[0] < references[1]


def test_a_received_time_is_timezone_aware(app, client):
    send_contact(client)
    (message,) = stored(app)
    assert isinstance(message.received_at, datetime)


def test_a_demo_link_preselects_the_topic_which_is_stored_and_shown_to_support(app, client, staff):
    page = soup(client.get("/en/contact?topic=demo"))
    assert page.find("option", attrs={"value": "demo"}).has_attr("selected")
    assert soup(client.get("/en/contact?topic=bogus")).find("option", selected=True) is None
    assert send_contact(client, topic="demo").status_code == 303
    assert send_contact(client, topic="lottery").status_code == 400
    (message,) = stored(app)
    assert message.topic == "demo"
    assert "a demonstration" in visible_text(staff("support").get(f"/staff/messages/{message.id}"))


def test_the_contact_page_says_when_we_answer_and_how_else_to_reach_us_from_configuration(app, client):
    text = visible_text(client.get("/fr/contact"))
    assert "contact@koki-software.fr" in text
    assert "téléphone" not in text.split("nous joindre autrement")[1].split("ce que nous faisons")[0]
    app.config.update(
        COMPANY_PHONE="+33 4 72 00 00 00",
        COMPANY_ADDRESS="1 rue de la Paix\n69000 Lyon",
        CONTACT_RESPONSE_TIME={
            "fr": "Nous répondons sous deux jours ouvrés.",
            "en": "We answer within two working days.",
        },
    )
    page = soup(client.get("/fr/contact"))
    assert "Nous répondons sous deux jours ouvrés." in page.find(class_="lead").get_text()
    assert page.find("a", href="tel:+33472000000").get_text() == "04 72 00 00 00"  # national format
    assert "69000 Lyon" in page.find(class_="address").get_text()
    assert "two working days" in visible_text(client.get("/en/contact"))


def test_a_demo_request_has_its_own_page_needs_no_message_and_says_what_comes_next(app, client):
    """/contact?topic=demo: its heading and title, the steps beside the form (length and answer
    time only when configured), the message optional for this topic only, a confirmation that says
    what comes next with its reference, addressed to #main (not the form's #error-summary)."""
    page = soup(client.get("/en/contact?topic=demo"))
    assert page.h1.get_text() == "Request a demonstration"
    assert page.title.get_text().startswith("Request a demonstration")
    steps = page.find(class_="demo-steps").get_text()
    assert "by phone or video, on your own sites" in steps and "minutes" not in steps
    assert not page.find("textarea", id="message").has_attr("required")
    assert page.find("label", attrs={"for": "message"}).get_text().strip() == "Your message (optional)"
    assert soup(client.get("/en/contact")).find(class_="demo-steps") is None

    app.config.update(
        DEMO_LENGTH={"fr": "Elle dure environ 45 minutes.", "en": "It takes about 45 minutes."},
        DEMO_RESPONSE_TIME="We offer you a time within two working days.",
    )
    page = soup(client.get("/en/contact?topic=demo"))
    assert "It takes about 45 minutes." in page.find(class_="demo-steps").get_text()
    assert "within two working days" in page.find(class_="lead").get_text()

    assert send_contact(client, topic="quote", message="").status_code == 400  # other topics: required
    sent = send_contact(client, topic="demo", message="")
    (message,) = stored(app)
    assert sent.status_code == 303
    assert sent.headers["Location"] == f"/en/contact/sent/{message.reference}?topic=demo#main"
    text = visible_text(client.get(sent.headers["Location"].split("#")[0]))
    assert "your demonstration request has reached us" in text and message.reference.lower() in text
    assert "what comes next: we call you or write back" in text and "within two working days" in text
    assert message.topic == "demo" and message.message == ""
