"""After a restore: do again what people asked since the backup was taken, then the purge.

The ledger names people by a keyed hash of their address; the restored database holds
addresses. Hashing each address it holds finds the people concerned, and the register's
handlers do to them what was done before: erase, rectify, restrict, withdraw.
"""

import json
from collections import Counter

from flask import current_app

from koki_site.backups import ledger
from koki_site.core import register


def replay(entries):
    """Apply the ledger entries (oldest first) to the restored database; {action: times done}."""
    by_hash = {}
    for _, handlers in register.handlers_of(current_app):
        for address in handlers.addresses() if handlers.addresses else ():
            by_hash.setdefault(ledger.address_hmac(address), address)
    done = Counter()
    for _, hashed, action, arguments in entries:
        address = by_hash.get(hashed)
        if address is not None:  # else the backup holds nothing of that person
            register.carry_out(current_app, action, address, *json.loads(arguments or "[]"))
            done[action] += 1
    return dict(done)
