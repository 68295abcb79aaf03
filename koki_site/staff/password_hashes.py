"""Staff passwords: argon2id hashes (argon2-cffi), with the cost read from configuration."""

import contextlib

from flask import current_app

# A hash of a password nobody has, per cost setting: checked when the email is unknown, so that
# a failed login takes as long whether or not the account exists (no enumeration by timing).
_decoys = {}


def hasher():
    """A PasswordHasher (argon2id by default) with this app's time and memory cost."""
    from argon2 import PasswordHasher  # loaded at the first login, not by every command

    config = current_app.config
    return PasswordHasher(time_cost=config["ARGON2_TIME_COST"], memory_cost=config["ARGON2_MEMORY_COST"])


def hash_password(password):
    return hasher().hash(password)


def verify_password(account, password):
    """Whether password is the account's; rehash it when the configured cost has changed.

    The caller commits: a new hash is kept with the rest of the login's changes.
    """
    current = hasher()
    try:
        current.verify(account.password_hash, password)
    except (argon2_errors().VerificationError, argon2_errors().InvalidHashError):
        return False
    if current.check_needs_rehash(account.password_hash):
        account.password_hash = current.hash(password)
    return True


def verify_decoy(password):
    """Spend the time of a real check, for an unknown email; always False."""
    current = hasher()
    key = (current.time_cost, current.memory_cost)
    if key not in _decoys:
        _decoys[key] = current.hash("decoy password that no account has")
    with contextlib.suppress(argon2_errors().VerificationError):
        current.verify(_decoys[key], password)
    return False


def argon2_errors():
    import argon2.exceptions

    return argon2.exceptions
