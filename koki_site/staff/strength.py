"""The one rule a staff password must pass, for the CLI, the accounts page and /staff/password alike.

At least STAFF_MIN_PASSWORD_LENGTH characters, and a zxcvbn score of 3 or more ("safely
unguessable"), zxcvbn knowing the account's address and the company's name so that a password
built on them counts as weak. zxcvbn's own feedback is English only: the messages are ours.
"""

from flask import current_app
from flask_babel import gettext as _

from koki_site import settings

CHECKED_LENGTH = 72  # zxcvbn refuses longer input; a password that long is not short of strength


def weakness(password, email):
    """Why password will not do for the account of email, in the current language; None if it will."""
    from zxcvbn import zxcvbn  # a fifth of a second to load its word lists: only when used

    minimum = settings.get("STAFF_MIN_PASSWORD_LENGTH")
    if len(password) < minimum:
        return _("The password needs at least %(count)d characters.", count=minimum)
    local_part = email.partition("@")[0]
    result = zxcvbn(
        password[:CHECKED_LENGTH], user_inputs=[email, local_part, current_app.config["COMPANY_NAME"]]
    )
    if result["score"] >= settings.get("STAFF_MIN_PASSWORD_SCORE"):
        return None
    return f"{reason(result['sequence'])} {how_to_fix()}"


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
