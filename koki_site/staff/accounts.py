"""What can happen to a staff account, from the admin page and the CLI alike; each change audited.

These functions add to the current transaction; the caller commits, so a change and its audit
entry are kept together or not at all.
"""

from datetime import UTC, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select

from koki_site import audit
from koki_site.auth import ROLES
from koki_site.extensions import db
from koki_site.staff.models import StaffAccount
from koki_site.staff.passwords import hash_password, verify_decoy, verify_password


def normalize_email(value):
    """The address as accounts store it, lower-cased; ValueError when it is not an address."""
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


def create(email, roles, password, actor=None):
    """A new enabled account; email already normalised, roles from auth.ROLES."""
    roles = in_order(roles)
    account = StaffAccount(
        email=email,
        password_hash=hash_password(password),
        role_names=" ".join(roles),
        enabled=True,
        failed_logins=0,
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


def set_enabled(account, enabled, actor=None):
    account.enabled = enabled
    changed(account, "enable" if enabled else "disable", actor)


def unlock(account):
    account.locked_until = None
    account.failed_logins = 0
    changed(account, "unlock")


def changed(account, change, actor=None, **details):
    audit.log(
        "account_change",
        target=target(account),
        details={"change": change, "email": account.email, **details},
        actor=actor,
    )


def target(account):
    return f"staff:{account.id}"


def authenticate(email, password):
    """(account, None) when the login may go ahead, else (account or None, why it may not).

    Each wrong password counts; at STAFF_MAX_FAILED_LOGINS the account is locked for
    STAFF_LOCKOUT_MINUTES, and while it is, even the right password is refused.
    """
    config = current_app.config
    now = datetime.now(UTC)
    account = find(email)
    if account is None:
        verify_decoy(password)
        return None, "unknown account"
    if account.locked_at(now):
        return account, "account locked"
    if account.locked_until is not None:  # the lock has run out: counting starts again
        account.locked_until = None
        account.failed_logins = 0
        db.session.flush()  # before the count below, which adds to what the database holds
    if not verify_password(account, password):
        # Counted in SQL, so that attempts arriving together on several workers all count.
        account.failed_logins = StaffAccount.failed_logins + 1
        db.session.flush()
        if account.failed_logins >= config["STAFF_MAX_FAILED_LOGINS"]:
            account.locked_until = now + timedelta(minutes=config["STAFF_LOCKOUT_MINUTES"])
        return account, "wrong password"
    if not account.enabled:
        return account, "account disabled"
    account.failed_logins = 0
    account.last_login_at = now
    return account, None
