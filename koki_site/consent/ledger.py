"""Recording decisions, with the SHA-256 of the exact banner and policy text shown."""

import hashlib
import html
import re
from datetime import UTC, datetime

from flask import current_app, render_template
from flask_babel import force_locale

from koki_site.consent.models import ConsentRecord
from koki_site.core import cookies
from koki_site.core.batches import expiring_rows
from koki_site.core.periods import Period
from koki_site.extensions import db

TAG = re.compile(r"<[^>]+>")
SPACE = re.compile(r"\s+")


def shown_text(lang):
    """The words a visitor reads before deciding: the banner and the cookie policy, in lang."""
    with force_locale(lang):
        banner = render_template("consent/_banner.html", lang=lang, gpc=False, next_path="/")
        policy = render_template(
            "pages/_cookie_policy.html", lang=lang, level=2, consent_lifetime=cookies.consent_lifetime()
        )
    text = html.unescape(TAG.sub(" ", banner + policy))
    return SPACE.sub(" ", text).strip()


def shown_text_sha256(lang):
    """SHA-256 of shown_text(lang), computed once per policy version and language."""
    key = (current_app.config["POLICY_VERSION"], lang)
    hashes = current_app.extensions.setdefault("koki_consent_text_hashes", {})
    if key not in hashes:
        hashes[key] = hashlib.sha256(shown_text(lang).encode()).hexdigest()
    return hashes[key]


def record(decision, lang, method):
    """Append the decision to the ledger and commit."""
    db.session.add(
        ConsentRecord(
            consent_id=decision.consent_id,
            decided_at=datetime.now(UTC),
            policy_version=current_app.config["POLICY_VERSION"],
            language=lang,
            method=method,
            text_sha256=shown_text_sha256(lang),
            **decision.choices,
        )
    )
    db.session.commit()


purge, due = expiring_rows(
    "consent ledger rows",
    ConsentRecord,
    ConsentRecord.decided_at,
    lambda: Period.from_config("CONSENT_PROOF_RETENTION_MONTHS", "month"),
)
