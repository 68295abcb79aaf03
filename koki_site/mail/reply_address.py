"""Reply addresses tied to one record, signed so that nobody can make one up.

`make("KOKI-2026-00042")` gives `support+KOKI-2026-00042.<signature>@koki-software.fr` from
REPLY_ADDRESS: the mail server delivers it to the support mailbox (the "+" extension), whose pipe
hands it to `flask mail receive`, which files the mail with that record. The signature is an
HMAC-SHA256 of the token under a key derived from SECRET_KEY with this module's own salt,
80 bits in hexadecimal: letters of one case, as some mail servers lower-case local parts. A new
SECRET_KEY makes the addresses already given out unknown (their mail is refused, not misfiled).
"""

import hashlib
import hmac

from flask import current_app

SALT = "koki-reply-address"
SIGNATURE_CHARS = 20  # hexadecimal: 80 bits, enough against guessing one mail at a time


def key():
    return hashlib.sha256(f"{SALT}:{current_app.secret_key}".encode()).digest()


def signature(token):
    return hmac.new(key(), token.upper().encode(), hashlib.sha256).hexdigest()[:SIGNATURE_CHARS]


def base():
    """(local part, domain) of REPLY_ADDRESS, lower-cased."""
    local, _, domain = current_app.config["REPLY_ADDRESS"].rpartition("@")
    return local.lower(), domain.lower()


def make(token):
    """The reply address of the record that token names (letters, digits, dashes)."""
    local, _, domain = current_app.config["REPLY_ADDRESS"].rpartition("@")
    return f"{local}+{token}.{signature(token)}@{domain}"


def is_ours(address):
    """Whether address is REPLY_ADDRESS with an extension, signed or not."""
    local, _, domain = address.strip().lower().rpartition("@")
    our_local, our_domain = base()
    return domain == our_domain and local.startswith(our_local + "+")


def read(address):
    """The token of a reply address whose signature holds (upper-cased), else None."""
    if not is_ours(address):
        return None
    local = address.strip().rpartition("@")[0]
    token, _, given = local.partition("+")[2].rpartition(".")
    if not token or not hmac.compare_digest(given.lower(), signature(token)):
        return None
    return token.upper()
