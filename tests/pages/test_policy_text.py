"""The policy says what the site does: no sentence on the policy pages contradicts it."""

import pytest

from tests.helpers import visible_text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_consent_paragraph_says_the_necessary_cookies_need_none(client, lang):
    text = visible_text(client.get(f"/{lang}/cookies"))
    old = {"en": "this data is collected with your explicit consent", "fr": "ces données sont collectées"}
    assert old[lang] not in text
    assert {"en": "need none", "fr": "n’en demandent aucun"}[lang] in text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_who_we_are_gives_the_purposes_of_the_register_not_improving_the_software(client, lang):
    text = visible_text(client.get(f"/{lang}/privacy"))
    assert {"en": "primary purpose", "fr": "finalité première"}[lang] not in text
    assert {"en": "subscribed software.", "fr": "le logiciel souscrit."}[lang] not in text
    assert {"en": "act no. 78-17", "fr": "loi informatique et libertés n° 78-17"}[lang] in text


@pytest.mark.parametrize("page", ["privacy", "cookies"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_policy_pages_say_what_their_last_version_changed(app, client, lang, page):
    text = visible_text(client.get(f"/{lang}/{page}"))
    note = {"en": "what changed on december 7, 2026", "fr": "ce qui a changé le 7 décembre 2026"}
    assert note[lang] in text
    assert app.config["POLICY_VERSION"] == "2026-12-07"
