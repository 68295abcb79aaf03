"""The one rule a staff password must pass, for the CLI, the accounts page and /staff/password alike.

At least STAFF_MIN_PASSWORD_LENGTH characters, and a zxcvbn score of 3 or more ("safely
unguessable"), zxcvbn knowing what a guesser of this account knows first: the company's name, the
site's host name and the account's address, so that a password built on them counts as weak.
zxcvbn's own feedback is English only: the messages are ours.
"""

import re
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from koki_site.core import runtime_settings

CHECKED_LENGTH = 72  # zxcvbn refuses longer input; a password that long is not short of strength


def weakness(password, email):
    """Why password will not do for the account of email, in the current language; None if it will."""
    from zxcvbn import zxcvbn  # a fifth of a second to load its word lists: only when used

    minimum = runtime_settings.get("STAFF_MIN_PASSWORD_LENGTH")
    if len(password) < minimum:
        return _("The password needs at least %(count)d characters.", count=minimum)
    result = zxcvbn(password[:CHECKED_LENGTH], user_inputs=known_words(email))
    if result["score"] >= runtime_settings.get("STAFF_MIN_PASSWORD_SCORE"):
        return None
    return f"{reason(result['sequence'])} {how_to_fix()}"


def known_words(email):
    """The company's name, the site's host name and the address, whole and in parts, lower-cased."""
    config = current_app.config
    email = email.strip().lower()
    local_part, _, domain = email.partition("@")
    host = (urlsplit(config["SITE_URL"]).hostname or "").lower()
    found = [email]
    for text in (config["COMPANY_NAME"].lower(), local_part, domain, host):
        found += [text, *text.split("."), *joined(words(text))]
    return list(dict.fromkeys(item for item in found if item))


def words(text):
    """The runs of letters and digits of text."""
    return re.findall(r"[^\W_]+", text)


def joined(parts):
    """Each word, and the words run together as people write them in a password.

    zxcvbn prices each separator between two known words as a brute-force guess, so that
    "koki-software-2026" would pass with "koki" and "software" alone: the joined forms are words too.
    """
    if len(parts) < 2:
        return parts
    return [*parts, *(separator.join(parts) for separator in ("", " ", "-", "_", "."))]


def reason(matches):
    """What makes the password guessable, from the patterns zxcvbn found in it, worst first."""
    dictionaries = {match.get("dictionary_name") for match in matches}
    patterns = {match["pattern"] for match in matches}
    if "user_inputs" in dictionaries:
        return _("This password is built on the email address or on the name of the company.")
    if "repeat" in patterns:
        return _("This password repeats the same characters or words.")
    if "passwords" in dictionaries:
        return _("This password is too common: it is among the first ones tried.")
    if patterns & {"sequence", "spatial"}:
        return _("This password follows a sequence or a row of the keyboard.")
    if "dictionary" in patterns:
        return _("This password is made of too few words, or too common ones.")
    return _("This password is too easy to guess.")


def how_to_fix():
    return _("Choose four or five unrelated words, or a long random password from a password manager.")
