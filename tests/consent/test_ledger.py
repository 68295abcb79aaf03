"""The proof of consent: the SHA-256 of the exact banner and policy text, per policy version.

When this test fails, the banner or cookie-policy text changed. Change POLICY_VERSION in
koki_site/config.py (visitors are asked again under the new text) and add the new hashes here;
never edit a hash of an older version.
"""

import pytest

from koki_site.consent import ledger

KNOWN_HASHES = {
    ("2026-11-29", "fr"): "620102cab9358c49c645be63e87fe1320ae9f63ee6bc43d472afb6b66aa9c043",
    ("2026-11-29", "en"): "1f7e734da13607d83e3d207b28daaf83fed7b75a3bb21db95e9fdfd26491faa7",
    # The compact banner (a few lines at the bottom, "Choose" opening the purposes), French typography.
    ("2026-12-01", "fr"): "8b3031f85dd972db18d8387cab43abbb7f6254d4a970b01e8e4ff7f50730159f",
    ("2026-12-01", "en"): "9c8646ae67fd8280d0860a398e012f74b05a0157dda542ad98983dc75dea8fa0",
    # The banner links the privacy policy too; the consent paragraph names the cookies that need none.
    ("2026-12-07", "fr"): "5fe205b42ab6d4eefff032c518e06291b3016206b6a752ac1a7f830c8c145a45",
    ("2026-12-07", "en"): "d832f58c8b44072c3187deec614a2f004aeb5778f9d0d820e9c4cd9f41bf1747",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_text_shown_matches_the_known_hash_of_its_policy_version(app, lang):
    with app.test_request_context():
        version = app.config["POLICY_VERSION"]
        assert (version, lang) in KNOWN_HASHES, f"add the hashes of policy version {version}"
        assert ledger.shown_text_sha256(lang) == KNOWN_HASHES[version, lang]


def test_the_hash_covers_the_banner_and_the_policy_text(app):
    with app.test_request_context():
        text = ledger.shown_text("en")
    assert "Refuse all" in text and "Accept all" in text
    assert "What is a cookie?" in text and "13 months" in text
    assert "<" not in text
