"""An agent's day in the inbox: saved replies and signatures in both languages, read marks per
agent, bulk actions, the person's other messages, one way to write dates, phones and languages."""

import re

import pytest

from tests.helpers import soup, visible_text
from tests.helpers.inbox import add_messages, listed, one_message, post_form, reply, stored
from tests.helpers.mail import text_of

pytestmark = pytest.mark.db
FR = {"Accept-Language": "fr"}


def box(response):
    return soup(response).find("textarea", attrs={"name": "body"}).get_text().lstrip("\r\n")


def add_saved_reply(client, language, title, body):
    page = "/staff/messages/saved-replies"
    return post_form(client, page, page, language=language, title=title, body=body)


def set_signatures(client, **by_language):
    page = "/staff/messages/signature"
    fields = {f"signature_{code}": text for code, text in by_language.items()}
    return post_form(client, page, page, **fields)


def test_saved_replies_and_signatures_in_both_languages(app, client, staff, smtp):
    french = one_message(app, client, "fr", first_name="Élodie")
    english = one_message(app, client, "en", first_name="Grace")
    support = staff("support")
    assert add_saved_reply(support, "fr", "Tarifs", "Voici notre grille de tarifs.").status_code == 303
    assert add_saved_reply(support, "en", "Prices", "Here is our price list.").status_code == 303
    taken = add_saved_reply(support, "fr", "Tarifs", "Autre texte.")
    assert taken.status_code == 400 and "already has this title" in taken.get_data(as_text=True)
    assert set_signatures(support, fr="Camille, support KOKI", en="Camille, KOKI support").status_code == 303

    french_page = support.get(f"/staff/messages/{french}")
    assert box(french_page) == "Bonjour Élodie,\n\n\n\n-- \nCamille, support KOKI"
    offered = [
        o.get_text() for o in soup(french_page).find("select", attrs={"name": "saved"}).find_all("option")
    ]
    assert offered == ["Tarifs"]  # the message's language only
    english_page = support.get(f"/staff/messages/{english}")
    assert box(english_page) == "Hello Grace,\n\n\n\n-- \nCamille, KOKI support"

    # Inserting keeps what was typed and goes above the signature; nothing is sent.
    saved_id = soup(english_page).find("select", attrs={"name": "saved"}).option["value"]
    typed = "Hello Grace,\n\nThanks for asking.\n\n-- \nCamille, KOKI support"
    page = f"/staff/messages/{english}"
    smtp.messages.clear()
    inserted = post_form(support, page, f"{page}/compose", body=typed, saved=saved_id)
    assert inserted.status_code == 200
    assert box(inserted) == (
        "Hello Grace,\n\nThanks for asking.\n\nHere is our price list.\n\n-- \nCamille, KOKI support"
    )
    assert smtp.wait_for(1, timeout=0.3) == [] and stored(app, english).status == "open"

    reply(support, english, box(inserted))
    (mail,) = smtp.wait_for(1)
    assert mail["Auto-Submitted"] == "no"  # a person wrote it (RFC 3834)
    text = text_of(mail).replace("\r\n", "\n")
    assert text.startswith(
        "Hello Grace,\n\nThanks for asking.\n\nHere is our price list.\n\n-- \nCamille, KOKI support\n"
    )


def test_the_saved_reply_forms_language_list_is_valid_html(staff):
    """A required select needs an empty first choice (Nu Html Checker): this list has none."""
    page = soup(staff("support").get("/staff/messages/saved-replies"))
    assert not page.find("select", attrs={"name": "language"}).has_attr("required")


def test_saved_replies_are_changed_and_deleted_by_support_and_audited(app, staff):
    support = staff("support")
    add_saved_reply(support, "en", "Demo", "Let us book a demo.")
    listing = soup(support.get("/staff/messages/saved-replies"))
    edit = listing.find("a", href=re.compile(r"/saved-replies/\d+$"))["href"]
    assert (
        post_form(support, edit, edit, language="en", title="Demo", body="Let us book a call.").status_code
        == 303
    )
    assert "let us book a call." in visible_text(support.get("/staff/messages/saved-replies"))
    delete = f"{edit}/delete"
    assert post_form(support, "/staff/messages/saved-replies", delete).status_code == 303
    assert "none yet in this language." in visible_text(support.get("/staff/messages/saved-replies"))
    audit = staff("dpo").get("/staff/audit?action=saved_reply")
    assert [td.get_text(" ", strip=True) for td in soup(audit).select("td.details")] == [
        "change: deleted",
        "change: changed",
        "change: added",
    ]


def test_read_marks_are_per_agent_and_can_be_undone(app, client, staff):
    message_id = one_message(app, client)
    first, second = staff("support"), staff("support")

    def unread_for(agent):
        row = soup(agent.get("/staff/messages")).find("tr", id=f"message-{message_id}")
        return "unread" in row["class"] and "Unread:" in row.get_text()

    assert unread_for(first) and unread_for(second)
    first.get(f"/staff/messages/{message_id}")
    assert not unread_for(first) and unread_for(second)
    page = f"/staff/messages/{message_id}"
    assert post_form(first, page, f"{page}/unread").headers["Location"] == "/staff/messages"
    assert unread_for(first)


def test_bulk_close_and_spam_are_audited_and_counted_in_words(app, staff):
    ids = add_messages(app, 3)
    support = staff("support")
    response = post_form(
        support, "/staff/messages", "/staff/messages/bulk?status=new", ids=ids[:2], status="closed"
    )
    assert response.headers["Location"] == "/staff/messages?status=new"
    assert "2 messages closed." in visible_text(support.get("/staff/messages"))
    post_form(support, "/staff/messages", "/staff/messages/bulk", ids=[ids[2]], status="spam")
    assert "1 message marked as spam." in visible_text(support.get("/staff/messages"))
    assert [stored(app, i).status for i in ids] == ["closed", "closed", "spam"]
    tabs = soup(support.get("/staff/messages")).find("nav", class_="tabs").get_text(" ", strip=True)
    assert "Closed 2" in tabs and "Spam 1" in tabs and "All 3" in tabs
    assert post_form(support, "/staff/messages", "/staff/messages/bulk", status="spam").status_code == 303
    assert listed(support, "status=spam") == [ids[2]]


def test_the_persons_other_messages_are_beside_the_thread(app, client, staff):
    first = one_message(app, client, email="Ada@Example.org", message="Premier message")
    second = one_message(app, client, email="ada@example.org", message="Second message")
    one_message(app, client, email="grace@example.org", message="Quelqu'un d'autre")
    aside = soup(staff("support").get(f"/staff/messages/{second}")).find("section", class_="others")
    assert [a["href"] for a in aside.find_all("a")] == [f"/staff/messages/{first}"]
    assert "Premier message" in aside.get_text()


def test_one_way_to_write_dates_phones_and_languages_in_the_staffs_language(app, client, staff):
    french = one_message(app, client, "en", phone="06 98 76 54 32")
    foreign = one_message(app, client, "fr", phone="+44 20 7946 0958")
    support = staff("support")
    english_page = visible_text(support.get(f"/staff/messages/{french}"))
    assert "06 98 76 54 32" in english_page and "+33698765432" not in english_page
    assert "language english" in english_page
    french_page = visible_text(support.get(f"/staff/messages/{foreign}", headers=FR))
    assert "+44 20 7946 0958" in french_page and "langue français" in french_page
    moments = [t.get_text() for t in soup(support.get("/staff/messages", headers=FR)).select("td.when time")]
    assert all(re.fullmatch(r"1?\d+(er)? \w+\.? \d{4}, \d\d:\d\d", m) for m in moments), moments
