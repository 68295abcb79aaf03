"""The known-device cookie (OWASP "device cookies"): this browser has logged in to that account.

Set at each successful login. While an account's ceiling of failed logins is crossed (a guess
from many addresses), only a browser holding it for that account may still try a password, so the
person goes on logging in from their usual browser while the guessers get nowhere.
"""

from koki_site.core import consent_cookie, cookies


def remember(response, account):
    """Mark this browser as one that logged in to account (signed, STAFF_DEVICE_COOKIE_DAYS)."""
    consent_cookie.save_signed(response, cookies.STAFF_DEVICE, {"a": account.id})


def known_account_id():
    """The account this browser logged in to before, or None (absent, forged or expired cookie)."""
    value = consent_cookie.load_signed(cookies.STAFF_DEVICE)
    account_id = value.get("a") if isinstance(value, dict) else None
    return account_id if isinstance(account_id, int) else None
