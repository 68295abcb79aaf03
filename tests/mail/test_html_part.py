"""A visitor's mail has an HTML part beside its text: the same words and links, in the site's
colours, loading nothing; mail to staff stays plain text."""

import re

import pytest
from bs4 import BeautifulSoup

from koki_site.mail.html_part import linked
from tests.helpers.mail import html_of, text_of
from tests.helpers.newsletter import subscribe
from tests.helpers.rights import ask

LINKS = re.compile(r"https?://\S+")


def addresses_in_text(text):
    return {address.rstrip(".,;:") for address in LINKS.findall(text)}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_newsletter_confirmation_is_text_and_html_with_the_same_links(client, smtp, lang):
    subscribe(client, "ada@example.org", lang=lang)
    message = smtp.wait_for(1)[0]

    assert message.get_content_type() == "multipart/alternative"
    text, html = text_of(message), BeautifulSoup(html_of(message), "html.parser")
    assert html.html["lang"] == lang
    assert {a["href"] for a in html.find_all("a")} == addresses_in_text(text)
    words = " ".join(html.body.get_text(" ").split())
    for paragraph in text.split("\n\n"):
        assert " ".join(paragraph.replace("-- ", "").split()) in words
    assert message["Content-Language"] == lang


def test_the_html_loads_nothing_and_follows_the_dark_scheme(client, smtp):
    ask(client, "access")
    raw = html_of(smtp.wait_for(1)[0])

    page = BeautifulSoup(raw, "html.parser")
    assert not page.find_all(["img", "link", "script", "iframe", "object"])
    assert not re.search(r"src=|url\(|@import", raw)  # no remote resource, no tracking pixel
    assert 'name="color-scheme" content="light dark"' in raw
    assert "prefers-color-scheme: dark" in raw
    assert "max-width:600px" in raw  # a column that narrows with a narrow client


def test_staff_mail_stays_plain_text(client, smtp, staff):
    from tests.helpers.contact import send_contact

    send_contact(client)
    notification = smtp.wait_for(1)[0]
    assert notification.get_content_type() == "text/plain"


def test_an_address_in_a_sentence_is_linked_without_its_full_stop():
    html = linked("See https://example.org/a?b=1&c=2. Or (https://www.cnil.fr), then <b>.")
    assert str(html) == (
        'See <a href="https://example.org/a?b=1&amp;c=2">https://example.org/a?b=1&amp;c=2</a>. '
        'Or (<a href="https://www.cnil.fr">https://www.cnil.fr</a>), then &lt;b&gt;.'
    )
