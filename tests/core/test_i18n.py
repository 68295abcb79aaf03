"""Language choice, and a French catalogue with no missing or fuzzy entry."""

import shutil
import tempfile
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from koki_site import create_app
from koki_site.core.cli import EXTRACT_KEYWORDS
from tests.conftest import settings

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


@pytest.mark.parametrize(
    ("accept_language", "target"),
    [
        ("en", "/en/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("fr-FR,fr;q=0.9,en;q=0.8", "/fr/"),
        ("de-DE,de;q=0.9,en;q=0.5", "/en/"),
        ("de", "/fr/"),
        (None, "/fr/"),
    ],
)
def test_root_redirects_by_accept_language(client, accept_language, target):
    headers = {"Accept-Language": accept_language} if accept_language else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == target
    assert "Accept-Language" in response.headers["Vary"]


def french_catalogue():
    with FRENCH.open("rb") as handle:
        return read_po(handle)


def translated(message):
    """Every form of the message has a translation (a plural message has several)."""
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms)


def test_french_catalogue_has_no_missing_or_fuzzy_entry():
    catalogue = french_catalogue()
    untranslated = [message.id for message in catalogue if message.id and not translated(message)]
    fuzzy = [message.id for message in catalogue if message.id and message.fuzzy]
    assert untranslated == [] and fuzzy == []


def test_the_french_says_e_mail_newsletter_and_code_qr_throughout():
    """One word for each thing on a page: not « courriel » here and « e-mail » there."""
    mixed = [
        message.id
        for message in french_catalogue()
        for text in ([message.string] if isinstance(message.string, str) else message.string)
        if any(word in text.lower() for word in ("courriel", "lettre d’information", "lettre d'information"))
        or "QR code" in text  # French writes « code QR »
    ]
    assert mixed == []


def test_every_message_of_the_code_is_in_the_french_catalogue():
    """A text added to a template without `flask translate update` would show in English."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        CommandLineInterface().run(
            [
                "pybabel",
                "-q",
                "extract",
                "-F",
                str(ROOT / "babel.cfg"),
                *EXTRACT_KEYWORDS,
                "-o",
                str(pot),
                str(ROOT),
            ]
        )
        with pot.open("rb") as handle:
            extracted = {(message.context, str(message.id)) for message in read_po(handle) if message.id}
    catalogue = french_catalogue()
    done = {(message.context, str(message.id)) for message in catalogue if message.id and translated(message)}
    assert sorted(extracted - done) == []


def test_translate_compile_command(runner):
    result = runner.invoke(args=["translate", "compile"])
    assert result.exit_code == 0, result.output
    assert "compiled: fr" in result.output
    assert (FRENCH.with_suffix(".mo")).stat().st_size > 1000


def test_a_site_started_without_compiled_catalogues_compiles_them(tmp_path, database_url):
    """`flask run` from a fresh clone must not serve the French pages in English."""
    copy = tmp_path / "translations"
    shutil.copytree(ROOT / "translations", copy, ignore=shutil.ignore_patterns("*.mo"))
    app = create_app(settings(database_url, BABEL_TRANSLATION_DIRECTORIES=str(copy)), instance_path=tmp_path)
    assert (copy / "fr" / "LC_MESSAGES" / "messages.mo").exists()
    assert "Politique de confidentialité" in app.test_client().get("/fr/privacy").get_data(as_text=True)
