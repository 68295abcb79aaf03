"""Every cookie the site may set, declared once, and the one way to set or expire them.

The cookie policy's table is drawn from these declarations, withdrawing a purpose expires the
cookies declared for it, and every cookie gets the same attributes: Path=/,
SameSite=Lax, HttpOnly, and Secure whenever SESSION_COOKIE_SECURE is on. The one staff cookie of
its own, STAFF_DEVICE, is narrower still: Path=/staff, SameSite=Strict.
"""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from koki_site.core.periods import Period


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str  # why it is set, as the visitor reads it
    consent_purpose: str | None = None  # None: strictly necessary, no consent needed
    lifetime_key: str | None = None  # configured lifetime; None: until the browser closes
    salt: str | None = None  # for a value the site signs (consent_cookie.load_signed, save_signed)
    lifetime_unit: str = "month"
    path: str = "/"
    samesite: str = "Lax"

    def lifetime(self):
        return Period.from_config(self.lifetime_key, self.lifetime_unit) if self.lifetime_key else None


SESSION = Cookie(
    name="session",
    purpose=_l(
        "Holds the security token of a form you are filling in, against forged requests, and, "
        "after you confirm a rights request, shows its data to this browser only, for one hour. "
        "Only set when a page carries a form or you confirm a request."
    ),
)
CONSENT = Cookie(
    name="koki_consent",
    purpose=_l("Remembers your cookie choices, so that we do not ask again on every page."),
    lifetime_key="CONSENT_COOKIE_MONTHS",
)
STATISTICS = Cookie(
    name="koki_stats",
    purpose=_l(
        "A random identifier, so that a visitor who sees several pages is counted once a day. "
        "It is hashed with a key that changes every day and is never linked to you."
    ),
    consent_purpose="statistics",
    lifetime_key="CONSENT_COOKIE_MONTHS",
    salt="koki-stats",  # signed: a forged identifier is ignored
)
PREFERENCES = Cookie(
    name="koki_prefs",
    purpose=_l("Remembers what you typed in our forms (never your message), to fill them in next time."),
    consent_purpose="enhancement",
    lifetime_key="CONSENT_COOKIE_MONTHS",
    salt="koki-prefs",
)
REQUESTS = Cookie(
    name="koki_requests",
    purpose=_l("Keeps the reference numbers of your requests, so that you can follow them."),
    consent_purpose="requests",
    lifetime_key="CONSENT_COOKIE_MONTHS",
    salt="koki-requests",
)

COOKIES = (SESSION, CONSENT, STATISTICS, PREFERENCES, REQUESTS)

# Not in COOKIES, the visitors' cookie table: only a staff member who logs in ever receives it
# (strictly necessary, docs/back-office.md). Sent to /staff pages only, never cross-site.
STAFF_DEVICE = Cookie(
    name="koki_staff_device",
    purpose=_l("Remembers that this browser has logged in to a back-office account before."),
    lifetime_key="STAFF_DEVICE_COOKIE_DAYS",
    lifetime_unit="day",
    salt="koki-staff-device",
    path="/staff",
    samesite="Strict",
)


def for_purpose(purpose):
    """The cookies that may only be set with consent to purpose."""
    return [cookie for cookie in COOKIES if cookie.consent_purpose == purpose]


def consent_lifetime():
    """How long a cookie choice, and any cookie set with consent, is kept: 13 months."""
    return Period.from_config("CONSENT_COOKIE_MONTHS", "month")


def set_cookie(response, cookie, value):
    lifetime = cookie.lifetime()
    response.set_cookie(
        cookie.name,
        value,
        max_age=lifetime.days * 86400 if lifetime else None,
        path=cookie.path,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=cookie.samesite,
    )


def expire_cookie(response, cookie):
    response.delete_cookie(
        cookie.name,
        path=cookie.path,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite=cookie.samesite,
    )
