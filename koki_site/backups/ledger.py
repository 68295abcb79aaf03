"""What people asked to be changed since a backup, so that a restore never brings it back.

Each erasure, rectification, restriction (or its lift) and withdrawal adds a row: when, what,
and the address as a keyed hash (HMAC with the secret key), never the address. A rectification
keeps the new values, which a restore must put back; an erasure drops the earlier rows of its
address. Rows go after BACKUP_RETENTION_DAYS: no backup is older.
"""

import hashlib
import hmac
import json
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import delete, select

from koki_site.backups.models import LedgerEntry
from koki_site.core import addresses
from koki_site.core.batches import expiring_rows
from koki_site.core.periods import Period
from koki_site.extensions import db

ACTIONS = ("erase", "rectify", "restrict", "withdraw")  # names of the register's handlers


def address_hmac(address):
    key = hashlib.sha256(f"koki-erasure-ledger:{current_app.secret_key}".encode()).digest()
    return hmac.new(key, addresses.normalise(address).encode(), hashlib.sha256).hexdigest()


def record(action, address, *arguments):
    """Add to the current transaction: action was carried out for address (with arguments)."""
    assert action in ACTIONS, action
    hashed = address_hmac(address)
    if action == "erase":  # what was rectified is gone too: keep no value of it
        db.session.execute(delete(LedgerEntry).where(LedgerEntry.address_hmac == hashed))
    db.session.add(
        LedgerEntry(
            at=datetime.now(UTC),
            address_hmac=hashed,
            action=action,
            arguments=json.dumps(arguments) if arguments else None,
        )
    )


def since(moment):
    """The entries made after moment, oldest first, as plain values (they outlive a restore)."""
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.at > moment).order_by(LedgerEntry.at))
    return [(row.at, row.address_hmac, row.action, row.arguments) for row in rows]


def put_back(entries):
    """Write entries read before a restore into the restored database's ledger."""
    for at, hashed, action, arguments in entries:
        db.session.add(LedgerEntry(at=at, address_hmac=hashed, action=action, arguments=arguments))


# No backup is older than BACKUP_RETENTION_DAYS: neither is what a restore would replay.
purge, due = expiring_rows(
    "changes recorded for backups",
    LedgerEntry,
    LedgerEntry.at,
    lambda: Period.from_config("BACKUP_RETENTION_DAYS", "day"),
)
