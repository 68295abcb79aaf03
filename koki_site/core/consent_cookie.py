"""The visitor's cookie choices, signed in the koki_consent cookie.

This is the core's small API that every capability asks before doing anything a purpose covers:
`allows("statistics")`, `allows("enhancement")`, `allows("requests")`. A cookie whose signature
fails, that is older than its lifetime (13 months), of another policy version or malformed counts
as no decision. A browser that sends `Sec-GPC: 1` and has made no decision is treated as refusing.
`load_signed` / `save_signed` read and write the signed cookies of a purpose (koki_prefs,
koki_requests), and do nothing without consent to it.
"""

import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime

from blinker import Namespace
from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer

from koki_site.core import cookies

SALT = "koki-consent"
MEMO_SIZE = 10_000  # signed values remembered per process once checked
PURPOSES = {
    "statistics": (
        _l("Statistics"),
        _l("Count page views anonymously, per day, page and language, to improve the site."),
    ),
    "enhancement": (
        _l("Content enhancement"),
        _l("Remember what you typed in our forms (never your message) to fill them in next time."),
    ),
    "requests": (
        _l("Request tracking"),
        _l("Keep the reference numbers of your requests on this device, so that you can follow them."),
    ),
}
CHOICES = ("accept_all", "reject_all", "custom")

# Sent with `decision=` once a decision is recorded, for the capabilities that count them.
decision_made = Namespace().signal("decision-made")


@dataclass(frozen=True)
class Decision:
    consent_id: str
    choices: dict  # purpose -> bool, every purpose present
    # When it was made: the signature's own timestamp (the cookie is signed again at each decision).
    decided_at: datetime | None = field(default=None, compare=False)

    @property
    def kind(self):
        """accepted, refused or custom: how the staff charts count decisions."""
        given = set(self.choices.values())
        if given == {True}:
            return "accepted"
        return "refused" if given == {False} else "custom"


def serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def decide(choice, ticked=(), consent_id=None):
    """The decision for a banner or settings choice: accept_all, reject_all or custom."""
    choices = {
        purpose: choice == "accept_all" or (choice == "custom" and purpose in ticked) for purpose in PURPOSES
    }
    return Decision(consent_id or secrets.token_hex(16), choices)


def verified(salt, raw, lifetime):
    """(payload, signed at) of a value the site signed with salt, or None (forged, expired).

    A browser sends the same cookies with every page: each value is checked once per process and
    remembered until it expires, so a consenting visitor's page costs what a refusing one's does.
    lifetime: the function giving the cookie's Period, asked only when a value is first checked.
    """
    memo = current_app.extensions.setdefault("koki_signed_values", {})
    known = memo.get((salt, raw))
    if known is not None and time.time() < known[2]:
        return known[0], known[1]
    max_age = lifetime().days * 86400
    try:
        payload, signed_at = URLSafeTimedSerializer(current_app.secret_key, salt=salt).loads(
            raw, max_age=max_age, return_timestamp=True
        )
    except BadData:
        return None
    if len(memo) >= MEMO_SIZE:
        memo.clear()
    memo[(salt, raw)] = (payload, signed_at, signed_at.timestamp() + max_age)
    return payload, signed_at


def load(value):
    """The decision signed in a cookie value, or None if it does not count."""
    found = verified(SALT, value, cookies.consent_lifetime)
    if found is None:
        return None
    payload, signed_at = found
    if not isinstance(payload, dict) or payload.get("v") != current_app.config["POLICY_VERSION"]:
        return None
    consent_id, choices = payload.get("id"), payload.get("c")
    if not isinstance(consent_id, str) or not 0 < len(consent_id) <= 64 or not isinstance(choices, dict):
        return None
    if set(choices) != set(PURPOSES) or not all(isinstance(v, bool) for v in choices.values()):
        return None
    return Decision(consent_id, dict(choices), decided_at=signed_at)


def dump(decision):
    payload = {"v": current_app.config["POLICY_VERSION"], "id": decision.consent_id, "c": decision.choices}
    return serializer().dumps(payload)


def current():
    """The visitor's valid decision, or None (read once per request)."""
    if "consent_decision" not in g:
        value = request.cookies.get(cookies.CONSENT.name)
        g.consent_decision = load(value) if value else None
    return g.consent_decision


def gpc_refusal():
    """True when the browser's Global Privacy Control signal stands for a refusal."""
    return current() is None and request.headers.get("Sec-GPC", "").strip() == "1"


def allows(purpose):
    """Whether the visitor consented to purpose. Without a decision: no."""
    decision = current()
    return bool(decision and decision.choices.get(purpose))


def state():
    """What the pages show of consent: "gpc", "none" (banner), or the choices (no banner)."""
    return state_of(current(), request.headers.get("Sec-GPC", ""))


def state_of(decision, gpc_header):
    if decision is None:
        return "gpc" if gpc_header.strip() == "1" else "none"
    return "".join("1" if decision.choices[purpose] else "0" for purpose in PURPOSES)


def save(response, decision):
    cookies.set_cookie(response, cookies.CONSENT, dump(decision))


def load_signed(cookie):
    """The value the site signed into cookie, or None when absent, forged, expired or withdrawn.

    Without consent to the cookie's purpose it is not read at all.
    """
    raw = request.cookies.get(cookie.name)
    if not raw or (cookie.consent_purpose and not allows(cookie.consent_purpose)):
        return None
    return unsign(cookie, raw)


def unsign(cookie, raw):
    """The value the site signed into the cookie's raw value, or None (forged, expired)."""
    found = verified(cookie.salt, raw, cookie.lifetime)
    return found[0] if found else None


def save_signed(response, cookie, value):
    """Sign value into cookie, if the visitor consented to its purpose; else set nothing."""
    if cookie.consent_purpose and not allows(cookie.consent_purpose):
        return
    cookies.set_cookie(response, cookie, signer(cookie).dumps(value))


def signer(cookie):
    return URLSafeTimedSerializer(current_app.secret_key, salt=cookie.salt)
