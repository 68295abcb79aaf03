"""Whether a configured secret (SECRET_KEY, BACKUP_KEY) is hard enough to guess.

Whoever knows SECRET_KEY signs any session, admins' included, so a placeholder copied from an
example or a key typed by hand must stop the start. The estimate is deliberately simple: each
character is worth log2 of the smallest usual alphabet that holds all of the key's characters (16
for hexadecimal digits, 64 for base 64, 95 for printable ASCII), and a key is weak when
that adds up to less than 32 random bytes (256 bits), when a run of 8 characters comes back
(`change-me-change-me-…`), when it uses fewer than 10 distinct characters (`"x" * 64`), or when it
is the example configuration's text. What `secrets.token_hex(32)` or `token_urlsafe(32)` draws
passes, but for odds under one in a million (an 8-character run drawn twice).
"""

import math
import string

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

REQUIRED_BITS = 256  # 32 random bytes
REPEAT_LENGTH = 8
MIN_DISTINCT = 10
HOW_TO_DRAW = "python3 -c 'import secrets; print(secrets.token_hex(32))'"
# The text instance/config.example.py once shipped: whoever copied it has a known key.
EXAMPLE_TEXTS = (f"replace with the output of: {HOW_TO_DRAW}",)
# The alphabets keys are drawn from, smallest first: hexadecimal, base 32, base 64 (URL-safe or not).
ALPHABETS = [
    set(alphabet)
    for alphabet in (
        "0123456789abcdef",
        "0123456789ABCDEF",
        string.ascii_uppercase + "234567",
        string.ascii_letters + string.digits + "-_",
        string.ascii_letters + string.digits + "+/=",
    )
]
PRINTABLE = set(string.ascii_letters + string.digits + string.punctuation + " ")


def weakness(key):
    """Why key is guessable, in words read in the reader's language; None when it is not."""
    if key in EXAMPLE_TEXTS:
        return _l("it is the example configuration's placeholder")
    if len(set(key)) < MIN_DISTINCT:
        return _l("it uses fewer than %(count)s different characters", count=MIN_DISTINCT)
    if repeats(key):
        return _l("a run of %(count)s characters comes back in it", count=REPEAT_LENGTH)
    if bits(key) < REQUIRED_BITS:
        return _l("it holds less than 32 random bytes' worth")
    return None


def bits(key):
    """What key would be worth were its characters drawn at random from the alphabet they span."""
    chars = set(key)
    alphabet = next((len(known) for known in ALPHABETS if chars <= known), None)
    if alphabet is None:  # printable ASCII, and each other character seen
        alphabet = len(PRINTABLE) + len(chars - PRINTABLE)
    return len(key) * math.log2(alphabet)


def repeats(key):
    """True when some run of REPEAT_LENGTH characters appears twice in key."""
    seen = set()
    for start in range(len(key) - REPEAT_LENGTH + 1):
        run = key[start : start + REPEAT_LENGTH]
        if run in seen:
            return True
        seen.add(run)
    return False


def refusal(name, key, where):
    """The start-up message for a weak key: which key, why, how to draw one and where to put it."""
    with force_locale("en"):  # for the operator, in the language of the logs
        why = str(weakness(key)) if key else "it is not set"
    return (
        f"{name} is too easy to guess: {why}. Draw one with\n"
        f'  export FLASK_{name}="$({HOW_TO_DRAW})"\n'
        f"or put {name} = '...' in {where}."
    )
