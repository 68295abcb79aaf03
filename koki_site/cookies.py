"""Every cookie the site may set, declared once: the cookie policy's table is drawn from here."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from koki_site.periods import Period


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str  # why it is set, as the visitor reads it
    consent_purpose: str | None = None  # None: strictly necessary, no consent needed
    lifetime_key: str | None = None  # configured lifetime in months; None: until the browser closes

    def lifetime(self):
        return Period.from_config(self.lifetime_key, "month") if self.lifetime_key else None


COOKIES = (
    Cookie(
        name="session",
        purpose=_l(
            "Holds the security token of a form you are filling in, against forged requests. "
            "Only set when a page carries a form."
        ),
    ),
)


def consent_lifetime():
    """How long a cookie choice, and any cookie set with consent, is kept: 13 months."""
    return Period.from_config("CONSENT_COOKIE_MONTHS", "month")
