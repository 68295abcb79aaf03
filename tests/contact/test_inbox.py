"""The staff inbox: the thread, replies mailed through the outbox, notes, roles, escaping."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from koki_site.contact.models import ContactMessage, ContactReply
from koki_site.extensions import db
from koki_site.mail import OutboxMail, reply_address
from tests.helpers import soup, visible_text
from tests.helpers.inbox import add_messages, audit_actions, listed, one_message, post_form, reply, stored
from tests.helpers.mail import text_of

pytestmark = pytest.mark.db


def test_a_message_goes_from_the_form_to_the_inbox_to_a_mailed_reply(app, client, staff, smtp):
    message_id = one_message(app, client, "fr")
    support = staff("support")
    inbox = soup(support.get("/staff/messages"))
    link = inbox.find("a", href=f"/staff/messages/{message_id}")
    assert "Bonjour, je voudrais une démonstration." in link.get_text()  # what it is about, from the list
    page = soup(support.get(link["href"]))
    assert "Bonjour, je voudrais une démonstration." in page.get_text()
    box = page.find("textarea", attrs={"name": "body"}).get_text().lstrip()  # HTML drops the first newline
    assert box.startswith("Bonjour Ada,")  # the greeting is in the box, in the message's language
    smtp.messages.clear()  # the notification to support
    body = "Bonjour Ada,\n\nMerci, voici nos disponibilités."
    assert reply(support, message_id, body).status_code == 303
    (mail,) = smtp.wait_for(1)
    assert mail["To"] == "ada@example.org"
    assert mail["Subject"].startswith("Votre message KOKI-")
    with app.app_context():
        reference = db.session.get(ContactMessage, message_id).reference
        assert reply_address.read(mail["Reply-To"]) == reference
    assert mail["Reply-To"].startswith(f"support+{reference}.")
    text = text_of(mail).replace("\r\n", "\n")
    assert text.startswith(body + "\n")  # exactly the box: nothing added above it
    assert text.count("Bonjour") == 1 and "Votre référence" in text and reference in text
    with app.app_context():
        message = db.session.get(ContactMessage, message_id)
        assert message.status == "answered"
        (stored_reply,) = message.replies
        assert (stored_reply.delivery_status, stored_reply.author) == ("sent", "support@koki.test")
        assert db.session.scalars(select(OutboxMail)).all() == []
    assert {"message_view", "reply"} <= set(audit_actions(app))


def test_the_reply_box_greets_in_the_language_of_the_message(app, client, staff, smtp):
    message_id = one_message(app, client, "en", first_name="Élodie")
    support = staff("support")
    box = soup(support.get(f"/staff/messages/{message_id}")).find("textarea", attrs={"name": "body"})
    assert box.get_text().lstrip().startswith("Hello Élodie,")
    smtp.messages.clear()
    reply(support, message_id, "Hello Élodie,\n\nThanks.")
    (mail,) = smtp.wait_for(1)
    assert mail["Subject"].startswith("Your message KOKI-")
    text = text_of(mail).replace("\r\n", "\n")
    assert text.startswith("Hello Élodie,\n\nThanks.\n\nYour reference: KOKI-")


def test_with_the_smtp_server_down_the_reply_waits_and_a_later_send_delivers_it(
    app, client, staff, smtp_server, runner
):
    message_id = one_message(app, client)
    support = staff("support")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)
    assert reply(support, message_id, "Réponse qui attendra.").status_code == 303
    with app.app_context():
        (waiting_reply,) = db.session.scalars(select(ContactReply)).all()
        assert waiting_reply.delivery_status == "queued"
        waiting = db.session.scalars(
            select(OutboxMail).where(OutboxMail.to_address == "ada@example.org")
        ).one()
        assert "ConnectionRefused" in waiting.last_error
        waiting.next_attempt_at = waiting.created_at  # as if the backoff had passed
        db.session.commit()
    smtp_server.messages.clear()
    app.config.update(MAIL_PORT=smtp_server.port)
    runner.invoke(args=["mail", "send"])
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["ada@example.org"]
    with app.app_context():
        assert db.session.scalars(select(ContactReply)).one().delivery_status == "sent"


def test_a_note_is_kept_in_the_thread_and_never_mailed(app, client, staff, smtp):
    message_id = one_message(app, client)
    support = staff("support")
    smtp.messages.clear()
    page = f"/staff/messages/{message_id}"
    assert post_form(support, page, f"{page}/note", body="Client important, rappeler.").status_code == 303
    assert "client important, rappeler." in visible_text(support.get(page))
    assert smtp.wait_for(1, timeout=0.5) == []
    assert "note" in audit_actions(app)


def test_status_assignment_and_filters(app, client, staff):
    first = one_message(app, client, first_name="Grace", company="Navy")
    second = one_message(
        app, client, first_name="Linus", email="linus@example.org", message="Kernel question"
    )
    support = staff("support")
    page = f"/staff/messages/{first}"
    post_form(support, page, f"{page}/assign", assign="me")
    post_form(support, page, f"{page}/status", status="closed")
    assert listed(support, "assigned=mine") == [first]
    assert listed(support, "assigned=unassigned") == [second]
    assert listed(support, "status=closed") == [first]
    assert listed(support, "status=new") == [second]
    assert listed(support, "q=navy") == [first]
    assert listed(support, "q=LINUS@example") == [second]
    assert listed(support, "q=kernel") == [second]
    assert listed(support, "q=100%25") == []  # a LIKE wildcard is searched for, not obeyed
    assert listed(support, "status=closed&q=kernel") == []
    assert {"assign", "status_change"} <= set(audit_actions(app))


def test_the_inbox_pages_by_position_newest_oldest_and_back(app, staff):
    ids = add_messages(app, 60)  # ids[0] is the newest
    support = staff("support")
    assert listed(support) == ids[:25]
    page = soup(support.get("/staff/messages"))
    older = page.find("a", rel="next")["href"]
    assert listed(support, older.partition("?")[2]) == ids[25:50]
    assert listed(support, "oldest=1") == ids[35:]  # the last page: the 25 oldest
    assert listed(support, f"after={ids[25]}") == ids[:25]
    assert listed(support, f"before={ids[49]}") == ids[50:]
    last = soup(support.get("/staff/messages?oldest=1"))
    assert last.find("a", rel="next") is None and last.find("a", rel="prev") is not None
    assert listed(support, "before=999999") == ids[:25]  # a position that is gone: the first page
    assert "60 messages" in visible_text(support.get("/staff/messages"))


def test_counts_are_plural_aware_and_searches_are_capped(app, client, staff, monkeypatch):
    support = staff("support")
    assert "0 messages" in visible_text(support.get("/staff/messages"))
    one_message(app, client)
    assert "1 message " in visible_text(support.get("/staff/messages")) + " "
    from koki_site.contact import listing

    monkeypatch.setattr(listing, "COUNT_CAP", 2)
    add_messages(app, 3, start=10, message="Devis demandé")
    text = visible_text(support.get("/staff/messages?q=devis"))
    assert "more than 2 messages" in text


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_what_a_visitor_typed_is_shown_escaped_to_staff(app, client, staff):
    message_id = one_message(app, client, first_name=XSS[:100], last_name=XSS[:100], company=XSS, message=XSS)
    support = staff("support")
    for path in ("/staff/messages", f"/staff/messages/{message_id}"):
        html = support.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html


STAFF_PAGES = {
    "/staff/": (),
    "/staff/messages": ("support",),
    "/staff/messages/{id}": ("support",),
    "/staff/messages/saved-replies": ("support",),
    "/staff/messages/signature": ("support",),
    "/staff/audit": ("dpo",),
    "/staff/retention": ("dpo",),
    "/staff/stats": (),
    "/staff/accounts": ("admin",),
}


@pytest.mark.parametrize("role", ["support", "marketing", "dpo", "admin"])
def test_the_role_matrix_over_every_staff_page(app, client, staff, role):
    message_id = one_message(app, client)
    member = staff(role)
    for path, roles in STAFF_PAGES.items():
        url = path.format(id=message_id)
        expected = 200 if not roles or role in roles else 403
        assert member.get(url).status_code == expected, (role, url)
        assert client.get(url).status_code == 302  # a visitor goes to the login page
    if role != "support":
        page = "/staff/"
        for action in ("reply", "note", "status", "assign", "unread", "compose"):
            url = f"/staff/messages/{message_id}/{action}"
            assert post_form(member, page, url, body="x", status="spam").status_code == 403, url
        assert (
            post_form(member, page, "/staff/messages/bulk", ids=message_id, status="spam").status_code == 403
        )
        assert stored(app, message_id).status == "new"


def test_the_list_shows_the_topic_before_the_first_words(app, client, staff):
    from koki_site.contact import forms

    message_id = one_message(app, client, "en", topic="demo", message="We run twelve hospitals.")
    subject = soup(staff("support").get("/staff/messages")).find("tr", id=f"message-{message_id}").th
    with app.test_request_context(headers={"Accept-Language": "en"}):
        label = str(forms.TOPIC_LABELS["demo"])
    assert subject.find(class_="topic").get_text() == label
    assert subject.find(class_="first-words").get_text() == "We run twelve hospitals."


def test_the_list_shows_each_messages_language_age_and_restriction(app, staff):
    """Triage at a glance: in French, "il y a 2 h", the language, and which ones may not be used."""
    now = datetime.now(UTC)
    (restricted,) = add_messages(app, 1, restricted=True, received_at=now - timedelta(hours=2))
    (english,) = add_messages(app, 1, start=1, language="en", received_at=now - timedelta(days=3))
    page = soup(staff("support").get("/staff/messages", headers={"Accept-Language": "fr"}))
    first, second = (page.find("tr", id=f"message-{i}") for i in (restricted, english))
    assert first.select_one(".age").get_text() == "il y a 2\u00a0h"
    assert first.select_one(".language").get_text() == "Français"
    assert first.select_one(".restricted-tag").get_text() == "Restreint\u00a0: ne pas utiliser"
    assert second.select_one(".age").get_text() == "il y a 3\u00a0j"
    assert second.select_one(".language").get_text() == "Anglais"
    assert second.select_one(".restricted-tag") is None


def test_taking_a_message_comes_before_marking_it_as_spam(app, client, staff):
    message_id = one_message(app, client, "en")
    buttons = [
        b.get_text() for b in soup(staff("support").get(f"/staff/messages/{message_id}")).find_all("button")
    ]
    assert buttons.index("Take it") < buttons.index("Mark as spam")
