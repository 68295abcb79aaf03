"""Answers come back: a reply's Reply-To, fed to `flask mail receive`, lands in its thread:
reopened, unread, audited; forged or unknown addresses refused with nothing stored;
only text kept (HTML turned into text, attachments dropped and listed), the size capped."""

import json
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from koki_site.contact.models import ContactAnswer
from koki_site.core.audit import AuditEntry
from koki_site.extensions import db
from koki_site.mail import reply_address
from tests.helpers import soup, tables_holding, visible_text
from tests.helpers.inbox import listed, one_message, post_form, reply, stored
from tests.helpers.mail import text_of
from tests.helpers.rights import ask, verify_link

pytestmark = pytest.mark.db


def answered_message(app, client, staff, smtp, then="stay"):
    """Ada writes, support replies (and closes when then="close"): the message, the agent, the reply mail."""
    message_id = one_message(app, client, "fr")
    support = staff("support")
    smtp.messages.clear()
    reply(support, message_id, "Bonjour Ada,\n\nVoici nos tarifs.", then=then)
    (mail,) = smtp.wait_for(1)
    return message_id, support, mail


def answer_to(reply_mail, text="Merci, et pour 12 sites ?", **headers):
    """The visitor's mail client answering our reply: to its Reply-To, quoting it."""
    answer = EmailMessage()
    answer["From"] = "Ada Lovelace <ada@example.org>"
    answer["To"] = reply_mail["Reply-To"]
    answer["Subject"] = f"Re: {reply_mail['Subject']}"
    answer["Message-ID"] = "<answer-1@example.org>"
    answer["In-Reply-To"] = reply_mail["Message-ID"]
    for name, value in headers.items():
        del answer[name.replace("_", "-")]
        answer[name.replace("_", "-")] = value
    quoted = "\n".join(f"> {line}" for line in text_of(reply_mail).splitlines())
    answer.set_content(f"{text}\n\nLe 1 déc. 2026, KOKI SOFTWARE a écrit :\n{quoted}\n")
    return answer


def receive(runner, message, *args):
    data = message if isinstance(message, bytes) else message.as_bytes()
    return runner.invoke(args=["mail", "receive", *args], input=data)


def answers(app):
    with app.app_context():
        return db.session.scalars(select(ContactAnswer).order_by(ContactAnswer.id)).all()


def audit_count(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_the_answer_to_a_reply_lands_in_its_thread_and_reopens_it(app, client, staff, smtp, runner):
    message_id, support, reply_mail = answered_message(app, client, staff, smtp, then="close")
    assert stored(app, message_id).status == "closed"
    smtp.messages.clear()
    result = receive(runner, answer_to(reply_mail))
    assert result.exit_code == 0, result.output
    after = stored(app, message_id)
    assert after.status == "open"
    (answer,) = answers(app)
    assert (answer.message_id, answer.from_address) == (message_id, "ada@example.org")
    assert answer.body.startswith("Merci, et pour 12 sites ?")
    (note,) = smtp.wait_for(1)  # support is told, with the reference and a link only
    assert note["To"] == app.config["SUPPORT_EMAIL"] and after.reference in note["Subject"]
    assert "12 sites" not in text_of(note)
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "answer_received"))
        assert (entry.actor, entry.target) == ("mail", f"message:{after.reference}")
    # In the list: unread again for the agent; in the thread: the answer, the quote folded away.
    row = soup(support.get("/staff/messages")).find("tr", id=f"message-{message_id}")
    assert "unread" in row["class"]
    page = soup(support.get(f"/staff/messages/{message_id}"))
    entry = page.find("article", class_="answer")
    assert "Merci, et pour 12 sites ?" in entry.find("p", class_="pre").get_text()
    assert "Voici nos tarifs" in entry.find("details").get_text()
    assert (
        "unread" not in soup(support.get("/staff/messages")).find("tr", id=f"message-{message_id}")["class"]
    )


def test_the_same_mail_delivered_twice_is_filed_once(app, client, staff, smtp, runner):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    assert receive(runner, answer_to(reply_mail)).exit_code == 0
    again = receive(runner, answer_to(reply_mail))
    assert again.exit_code == 0 and "already filed" in again.output
    assert len(answers(app)) == 1


def test_a_forged_or_unknown_address_is_refused_and_nothing_is_stored(app, client, staff, smtp, runner):
    message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    reference = stored(app, message_id).reference
    local, _, domain = reply_mail["Reply-To"].rpartition("@")
    token, _, signature = local.rpartition(".")
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    with app.app_context():
        unknown = reply_address.make("KOKI-2026-09999")  # signed, but no such message
    counted = audit_count(app)
    for address in (
        f"{token}.{flipped}@{domain}",  # one character of the signature changed
        f"support+KOKI-2026-00002.{signature}@{domain}",  # another reference, this signature
        f"support+{reference}@{domain}",  # no signature
        unknown,
        "someone-else@example.org",
    ):
        result = receive(runner, answer_to(reply_mail, To=address))
        assert result.exit_code == 67, (address, result.output)
    assert answers(app) == [] and audit_count(app) == counted
    assert stored(app, message_id).status == "answered"


def test_the_envelope_recipient_counts_and_case_does_not(app, client, staff, smtp, runner):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    forwarded = answer_to(reply_mail, To="support@koki-software.fr")
    assert receive(runner, forwarded).exit_code == 67
    assert receive(runner, forwarded, "--to", reply_mail["Reply-To"].lower()).exit_code == 0
    assert len(answers(app)) == 1


def test_html_and_attachments_keep_the_text_only(app, client, staff, smtp, runner):
    message_id, support, reply_mail = answered_message(app, client, staff, smtp)
    mail = EmailMessage()
    mail["From"] = "ada@example.org"
    mail["To"] = reply_mail["Reply-To"]
    mail["Subject"] = "Re: devis"
    mail["Message-ID"] = "<html-1@example.org>"
    mail.set_content(
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Voici le <b>plan</b> des locaux&nbsp;:</p><ul><li>Bloc A</li><li>Bloc B</li></ul>"
        '<p><a href="https://example.org/plan">le plan</a></p><img src="cid:logo"></body></html>',
        subtype="html",
    )
    mail.add_attachment(
        b"%PDF-1.4 " + b"x" * 2000, maintype="application", subtype="pdf", filename="plan.pdf"
    )
    mail.add_attachment(b"\x89PNG" + b"y" * 500, maintype="image", subtype="png", filename="logo.png")
    result = receive(runner, mail)
    assert result.exit_code == 0, result.output
    (answer,) = answers(app)
    assert (
        answer.body
        == "Voici le plan des locaux :\n\n- Bloc A\n- Bloc B\n\nle plan (https://example.org/plan)"
    )
    assert answer.from_html
    assert [(f["name"], f["type"]) for f in json.loads(answer.dropped)] == [
        ("plan.pdf", "application/pdf"),
        ("logo.png", "image/png"),
    ]
    assert "alert" not in answer.body and "color" not in answer.body
    assert tables_holding(app, "%PDF") == set()
    text = visible_text(support.get(f"/staff/messages/{message_id}"))
    assert "attachments not kept: plan.pdf (application/pdf, 2 kb)" in text
    assert "only its text is shown" in text


def test_a_plain_text_twin_is_preferred_and_not_listed_as_dropped(app, client, staff, smtp, runner):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    mail = answer_to(reply_mail, text="Texte brut.")
    mail.add_alternative("<p>Texte <i>riche</i>.</p>", subtype="html")
    assert receive(runner, mail).exit_code == 0
    (answer,) = answers(app)
    assert answer.body.startswith("Texte brut.") and not answer.from_html and answer.dropped is None


def test_the_size_is_capped(app, client, staff, smtp, runner):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    app.config.update(MAIL_RECEIVE_MAX_BYTES=5000, MAIL_RECEIVE_MAX_CHARS=100)
    big = answer_to(reply_mail, text="x" * 6000)
    assert receive(runner, big).exit_code == 65 and answers(app) == []
    long = answer_to(reply_mail, text="Bonjour. " + "y" * 400)
    assert receive(runner, long).exit_code == 0
    (answer,) = answers(app)
    assert len(answer.body) == 100 and answer.truncated


def test_an_erased_message_takes_its_answers_and_its_address_dies(app, client, staff, smtp, runner):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    assert receive(runner, answer_to(reply_mail)).exit_code == 0
    smtp.messages.clear()
    ask(client, "erasure", "ada@example.org")
    path = verify_link(smtp.wait_for(1)[0])
    client.post(path, data={"action": "verify"})
    client.post(path, data={"action": "erase"})
    assert answers(app) == []
    assert tables_holding(app, "12 sites") == set()
    assert receive(runner, answer_to(reply_mail, Message_ID="<answer-2@example.org>")).exit_code == 67


def test_an_answer_is_part_of_what_access_shows(app, client, staff, smtp, runner):
    _message_id, _support, reply_mail = answered_message(app, client, staff, smtp)
    receive(runner, answer_to(reply_mail))
    with app.test_request_context():
        from koki_site.contact import records

        (found,) = records.find("ADA@example.org")
    assert found["fields"]["answers"][0]["body"].startswith("Merci, et pour 12 sites ?")


def test_a_message_open_from_a_filtered_list_goes_on_through_it(app, client, staff, smtp):
    first = one_message(app, client, "fr", message="Premier devis")
    second = one_message(app, client, "fr", message="Second devis")
    other = one_message(app, client, "fr", message="Autre sujet")
    support = staff("support")
    assert listed(support, "q=devis") == [second, first]
    page = soup(support.get(f"/staff/messages/{second}?q=devis"))
    assert page.find("a", rel="next")["href"] == f"/staff/messages/{first}?q=devis"
    assert page.find("a", rel="prev") is None
    smtp.messages.clear()
    response = reply(support, second, "Réponse.", then="close", query="?q=devis")
    assert response.headers["Location"] == f"/staff/messages/{first}?q=devis"
    assert stored(app, second).status == "closed"
    spam = post_form(
        support, f"/staff/messages/{first}?q=devis", f"/staff/messages/{first}/status?q=devis", status="spam"
    )
    assert spam.headers["Location"] == f"/staff/messages/{second}?q=devis"  # older none left: the newer one
    assert stored(app, first).status == "spam" and stored(app, other).status == "new"
