"""Failed logins, counted per account and client address, and per account from everywhere.

From one address, STAFF_MAX_FAILED_LOGINS failures within STAFF_LOCKOUT_MINUTES lock that address
out of that account: the guesser is stopped and the person, from anywhere else, still logs in.
From all addresses, STAFF_ACCOUNT_MAX_FAILED_LOGINS failures within an hour is a distributed guess:
admins are told (an audit entry, a notice on /staff/accounts), and the login asks for the
known-device cookie (device.py) before it checks a password. The address is kept as a keyed hash,
for a day (STAFF_LOGIN_FAILURE_RETENTION_DAYS), never in clear.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from koki_site.core import audit, runtime_settings
from koki_site.core.batches import expiring_rows
from koki_site.core.clients import client_key
from koki_site.core.periods import Period
from koki_site.extensions import db
from koki_site.staff.models import StaffLoginFailure

CEILING_WINDOW = timedelta(hours=1)
CEILING_ACTION = "login_ceiling"  # the audit entry that tells admins of a distributed guess


def ceiling_crossed(failures):
    return failures >= runtime_settings.get("STAFF_ACCOUNT_MAX_FAILED_LOGINS")


@dataclass(frozen=True)
class Recent:
    """An account's failed logins of the last hour: how many, from how many addresses, how many locked."""

    failures: int
    addresses: int
    locked: int = 0

    @property
    def ceiling_crossed(self):
        return ceiling_crossed(self.failures)


@dataclass(frozen=True)
class Attempt:
    """What the failures already stored say of a login attempt to an account from an address."""

    from_address: int  # within STAFF_LOCKOUT_MINUTES, from this address
    address_seen: bool  # this address failed within the last hour
    failures: int  # within the last hour, from every address
    addresses: int

    @property
    def address_locked(self):
        return self.from_address >= runtime_settings.get("STAFF_MAX_FAILED_LOGINS")

    @property
    def ceiling_crossed(self):
        return ceiling_crossed(self.failures)


def address_key(address):
    """The client as stored: its key (clients.py) HMACed with the secret key; a leaked table names nobody."""
    key = current_app.secret_key
    key = key.encode() if isinstance(key, str) else key
    return hmac.new(key, f"staff-login-address:{client_key(address)}".encode(), hashlib.sha256).hexdigest()


def lockout_start(now):
    return now - timedelta(minutes=runtime_settings.get("STAFF_LOCKOUT_MINUTES"))


def attempt(account, address, now):
    """The Attempt of a login, in one query: a refusal costs about what an unknown address does."""
    key, hour, locking = address_key(address), now - CEILING_WINDOW, lockout_start(now)
    at, this_address = StaffLoginFailure.at, StaffLoginFailure.address == key
    row = db.session.execute(
        select(
            func.count().filter(this_address, at > locking),
            func.count().filter(this_address, at > hour),
            func.count().filter(at > hour),
            func.count(StaffLoginFailure.address.distinct()).filter(at > hour),
        ).where(StaffLoginFailure.account_id == account.id, at > min(hour, locking))
    ).one()
    return Attempt(row[0], row[1] > 0, row[2], row[3])


def record(account, address, now, before):
    """Count a refused login; tell admins, once an hour, when it crosses the account's ceiling.

    before is the Attempt read for this login. Refusals while locked count too: a guesser who
    keeps going stays locked.
    """
    db.session.add(StaffLoginFailure(account_id=account.id, address=address_key(address), at=now))
    failures = before.failures + 1
    if ceiling_crossed(failures) and not told_lately(account, now):
        details = {"failures": failures, "addresses": before.addresses + (not before.address_seen)}
        audit.log(CEILING_ACTION, target=f"staff:{account.id}", details=details, actor="system")


def told_lately(account, now):
    return db.session.scalar(
        select(func.count()).where(
            audit.AuditEntry.action == CEILING_ACTION,
            audit.AuditEntry.target == f"staff:{account.id}",
            audit.AuditEntry.at > now - CEILING_WINDOW,
        )
    )


def forget(account, address=None):
    """Clear the account's failures (an admin's unlock), or those of one address (its login)."""
    query = delete(StaffLoginFailure).where(StaffLoginFailure.account_id == account.id)
    if address is not None:
        query = query.where(StaffLoginFailure.address == address_key(address))
    db.session.execute(query)


def summary(now):
    """{account id: Recent} for every account with failed logins in the last hour."""
    since = now - CEILING_WINDOW
    rows = db.session.execute(
        select(StaffLoginFailure.account_id, func.count(), func.count(StaffLoginFailure.address.distinct()))
        .where(StaffLoginFailure.at > since)
        .group_by(StaffLoginFailure.account_id)
    ).all()
    counts = {account_id: (failures, addresses) for account_id, failures, addresses in rows}
    locked = locked_addresses(now)
    # Both: a lockout set longer than an hour may outlast the failures of the last hour.
    return {
        account_id: Recent(*counts.get(account_id, (0, 0)), locked.get(account_id, 0))
        for account_id in counts.keys() | locked.keys()
    }


def locked_addresses(now):
    """{account id: how many addresses are locked out of it now}."""
    per_address = (
        select(StaffLoginFailure.account_id)
        .where(StaffLoginFailure.at > lockout_start(now))
        .group_by(StaffLoginFailure.account_id, StaffLoginFailure.address)
        .having(func.count() >= runtime_settings.get("STAFF_MAX_FAILED_LOGINS"))
        .subquery()
    )
    rows = db.session.execute(
        select(per_address.c.account_id, func.count()).group_by(per_address.c.account_id)
    )
    return dict(rows.all())


purge, due = expiring_rows(
    "failed staff logins",
    StaffLoginFailure,
    StaffLoginFailure.at,
    lambda: Period.from_config("STAFF_LOGIN_FAILURE_RETENTION_DAYS", "day"),
)
