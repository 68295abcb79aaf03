"""The policy pages carry every section of the company's text, periods and bases from the register."""

import pytest

from koki_site.core import register
from koki_site.core.cookies import COOKIES
from tests.helpers import LANGS, soup, visible_text

SECTIONS = (
    "gdpr",
    "who-we-are",
    "security",
    "why",
    "purposes",
    "recipients",
    "retention",
    "rights",
    "contact",
    "cookies",
    "compliance",
)
COOKIE_SECTIONS = ("what-is-a-cookie", "why-cookies", "cookie-consent", "cookie-lifetime")

RIGHTS = {
    "en": (
        "right to object",
        "right of access",
        "right of rectification",
        "right to erasure",
        "right to restrict processing",
        "right to portability",
        "right to withdraw consent",
        "directives on the conservation, deletion and communication of your data after your death",
    ),
    "fr": (
        "droit d’opposition",
        "droit d’accès",
        "droit de rectification",
        "droit à l’effacement",
        "droit à la limitation du traitement",
        "droit à la portabilité",
        "droit de retirer votre consentement",
        "directives relatives à la conservation, à l’effacement et à la communication de vos "
        "données après votre décès",
    ),
}
STATEMENTS = {
    "en": ("stored for 12 months", "expiry date of 13 months", "december 7, 2026"),
    "fr": ("12 mois", "13 mois", "7 décembre 2026"),  # test_typography: "1er" for the first of a month
}
CNIL_ADDRESS = "tsa 90715, 3 place de fontenoy, 75007 paris"


@pytest.mark.parametrize("lang", LANGS)
def test_privacy_policy_has_every_section_of_the_text(client, lang):
    page = soup(client.get(f"/{lang}/privacy"))
    for section in SECTIONS + COOKIE_SECTIONS:
        heading = page.find(id=section)
        assert heading is not None, section
        assert heading.get_text(strip=True), section


@pytest.mark.parametrize("lang", LANGS)
def test_privacy_policy_states_periods_rights_and_the_cnil(client, lang):
    text = visible_text(client.get(f"/{lang}/privacy"))
    for statement in STATEMENTS[lang] + RIGHTS[lang]:
        assert statement in text, statement
    assert CNIL_ADDRESS in text


@pytest.mark.parametrize("lang", LANGS)
def test_privacy_policy_fills_the_blanks_of_the_text_from_configuration(app, client, lang):
    app.config.update(DPO_NAME="Camille Martin", DPO_EMAIL="privacy@koki.test", DPO_ADDRESS="1 rue du DPO")
    page = soup(client.get(f"/{lang}/privacy"))
    contact = page.find(id="contact")
    assert "Camille Martin" in contact.get_text()
    assert contact.find("a", href="mailto:privacy@koki.test")
    assert "1 rue du DPO" in contact.get_text()
    assert page.find("a", href="mailto:privacy@koki.test", string="privacy@koki.test")


@pytest.mark.parametrize("lang", LANGS)
def test_the_register_table_lists_every_processing_with_basis_and_retention(client, lang):
    page = soup(client.get(f"/{lang}/privacy"))
    for processing in register.PROCESSINGS:
        row = page.find(id=f"processing-{processing.key}")
        assert row is not None, processing.key
        cells = row.find_all(["th", "td"])
        assert cells[2].get_text(strip=True), processing.key
    english = soup(client.get("/en/privacy"))
    assert "Legitimate interests (GDPR Art. 6(1)(f))" in english.find(id="processing-contact").get_text()
    assert "Consent (GDPR Art. 6(1)(a))" in english.find(id="processing-newsletter").get_text()


def test_periods_come_from_configuration_not_from_the_text(app, client):
    app.config.update(CONTACT_RETENTION_MONTHS=18, CONSENT_COOKIE_MONTHS=6, NEWSLETTER_PENDING_DAYS=20)
    text = visible_text(client.get("/en/privacy"))
    assert "stored for 18 months" in text
    assert "expiry date of 6 months" in text
    assert "20 days for a subscription that was never confirmed" in text
    french = visible_text(client.get("/fr/privacy"))
    assert "18 mois" in french and "6 mois" in french


@pytest.mark.parametrize("lang", LANGS)
def test_cookie_policy_has_the_cookie_section_and_the_cookie_table(client, lang):
    page = soup(client.get(f"/{lang}/cookies"))
    for section in COOKIE_SECTIONS:
        assert page.find(id=section) is not None, section
    assert STATEMENTS[lang][1] in visible_text(client.get(f"/{lang}/cookies"))
    rows = page.find("table").tbody.find_all("tr")
    assert [row.th.get_text(strip=True) for row in rows] == [cookie.name for cookie in COOKIES]
    assert {"session", "koki_consent", "koki_stats", "koki_prefs", "koki_requests"} <= {
        c.name for c in COOKIES
    }
    durations = {row.th.get_text(strip=True): row.find_all("td")[2].get_text(strip=True) for row in rows}
    assert (
        durations["koki_consent"] == durations["koki_stats"] == {"en": "13 months", "fr": "13\xa0mois"}[lang]
    )
    assert page.find(id="settings").find("form", class_="consent-settings") is not None


def test_the_policy_date_is_the_configured_policy_version(app, client):
    app.config["POLICY_VERSION"] = "2027-02-03"
    assert "3 février 2027" in visible_text(client.get("/fr/cookies"))


@pytest.mark.parametrize("lang", LANGS)
def test_the_policy_points_to_the_rights_page(client, lang):
    contact = soup(client.get(f"/{lang}/privacy")).find(id="contact")
    assert contact.find("a", href=f"/{lang}/rights")
