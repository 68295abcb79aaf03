"""What can happen to a staff account, from the admin page and the CLI alike; each change audited.

These functions add to the current transaction; the caller commits, so a change and its audit
entry are kept together or not at all.
"""

from datetime import UTC, datetime

from sqlalchemy import select

from koki_site.core import audit
from koki_site.core.auth import ROLES
from koki_site.extensions import db
from koki_site.staff import lockout
from koki_site.staff.models import StaffAccount
from koki_site.staff.password_hashes import hash_password, verify_decoy, verify_password


def normalize_email(value):
    """The address as accounts store it, lower-cased; ValueError when it is not an address."""
    from email_validator import EmailNotValidError, validate_email  # loaded when used

    try:
        # An address is a login name here, never mailed: no DNS check; and the reserved .test
        # domain (RFC 2606) is allowed, for test and staging sites.
        checked = validate_email(value.strip(), check_deliverability=False, test_environment=True)
        return checked.normalized.lower()
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error


def find(email):
    return db.session.scalar(select(StaffAccount).where(StaffAccount.email == email.strip().lower()))


def in_order(roles):
    """The roles in auth.ROLES order, each once: how accounts store and the audit log shows them."""
    return [role for role in ROLES if role in roles]


def create(email, roles, password, actor=None, name=None):
    """A new enabled account; email already normalised, roles from auth.ROLES."""
    roles = in_order(roles)
    account = StaffAccount(
        email=email,
        display_name=name or None,
        password_hash=hash_password(password),
        role_names=" ".join(roles),
        enabled=True,
        created_at=datetime.now(UTC),
    )
    db.session.add(account)
    db.session.flush()  # its id, for the audit entry
    changed(account, "create", actor, roles=roles)
    return account


def set_roles(account, roles):
    before, roles = list(account.roles), in_order(roles)
    account.role_names = " ".join(roles)
    changed(account, "roles", before=before, roles=roles)


def rename(account, name):
    before, account.display_name = account.display_name, name or None
    changed(account, "name", before=before, name=account.display_name)


def set_enabled(account, enabled, actor=None):
    account.enabled = enabled
    changed(account, "enable" if enabled else "disable", actor)


def unlock(account):
    """Forget the account's failed logins: every address locked out of it may try again."""
    lockout.forget(account)
    changed(account, "unlock")


def change_password(account, password):
    """A new password (already judged strong enough); every session of the account ends."""
    account.password_hash = hash_password(password)
    account.end_sessions()
    changed(account, "password")


def changed(account, change, actor=None, **details):
    audit.log(
        "account_change",
        target=target(account),
        details={"change": change, "email": account.email, **details},
        actor=actor,
    )


def target(account):
    return f"staff:{account.id}"


# Past the account's ceiling, from a browser that never logged in to it: the right password is
# finished through a mailed link (links.py), a wrong one refused; the page shows both alike, so a
# guesser learns nothing of the password while the person still gets in.
MAIL_LINK = "right password from an unknown device during a guessing attack"
GUESSING = "unknown device during a guessing attack"


def authenticate(email, password, address, known_device=None):
    """(account, None) when the login may go ahead, (account, MAIL_LINK) when it must finish
    through a mailed link, else (account or None, why it may not).

    address is the client's; known_device the account id of this browser's known-device cookie.
    Every attempt costs one argon2 verification, of the account's hash or of the decoy, so that
    an unknown, disabled or locked account takes as long to refuse as a wrong password.
    """
    now = datetime.now(UTC)
    account = find(email)
    if account is None:
        verify_decoy(password)
        return None, "unknown account"
    before = lockout.attempt(account, address, now)
    under_attack = before.ceiling_crossed and known_device != account.id
    refusal = refusal_before_checking(account, before)
    if refusal is not None:
        verify_decoy(password)  # the password is not even checked
    elif not verify_password(account, password):
        refusal = GUESSING if under_attack else "wrong password"
    elif under_attack:
        return account, MAIL_LINK  # neither a failure nor a login: the mailbox decides
    if refusal is not None:
        lockout.record(account, address, now, before)
        return account, refusal
    lockout.forget(account, address)
    return account, None


def refusal_before_checking(account, before):
    """Why the password of this attempt will not be checked at all, or None."""
    if not account.enabled:
        return "account disabled"
    if before.address_locked:
        return "address locked"
    return None
