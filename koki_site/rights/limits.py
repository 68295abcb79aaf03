"""How many verification mails one address may get, whoever asks.

The rights form must not become a way to fill somebody else's mailbox from many clients. Each
stored request is one mail sent, so the requests themselves are the count: it holds across
workers and hosts, and whether or not Flask-Limiter is on. A request over the limits is neither
stored nor mailed; the earlier link still works, and the visitor's answer is the same.
"""

import hashlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import false, func, select, update

from koki_site.core import addresses
from koki_site.extensions import db
from koki_site.rights.models import RightsRequest

HOUR = timedelta(hours=1)


def may_mail(address, right, now):
    """Whether a mail may go to address now: once per right per interval, a few an hour in all."""
    config = current_app.config
    interval = timedelta(minutes=config["RIGHTS_MAIL_INTERVAL_MINUTES"])
    recent = db.session.execute(
        select(RightsRequest.right, RightsRequest.received_at).where(
            RightsRequest.received_at > now - max(interval, HOUR),  # the index narrows, then the address
            addresses.same(RightsRequest.email, address),
        )
    ).all()
    same_right = any(asked == right and at > now - interval for asked, at in recent)
    this_hour = sum(at > now - HOUR for _, at in recent)
    return not same_right and this_hour < config["RIGHTS_MAILS_PER_ADDRESS_PER_HOUR"]


def hold(address):
    """Until the transaction ends, requests about this address wait: the check and the insert after
    it are not raced by another worker."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(lock_key(address))))
    else:  # SQLite lets one transaction write at a time: starting to write now is the lock
        nothing = update(RightsRequest).where(false()).values(id=RightsRequest.id)
        db.session.execute(nothing, execution_options={"synchronize_session": False})


def lock_key(address):
    """The advisory lock's 64-bit key for an address, whatever its case."""
    digest = hashlib.sha256(f"koki-rights:{addresses.normalise(address)}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
