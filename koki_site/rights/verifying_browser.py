"""Which browser verified a rights request: only it sees the request's data, and for an hour.

The verification link travels by mail: forwarded, or read in a shared mailbox, it would show
the data to whoever holds it. The first verification binds the request to the browser that
made it, in the signed session cookie (strictly necessary: it secures what the person asked for).
"""

import time

from flask import session

KEY = "rights_verified"  # in the session: {request id: when it was verified here (epoch seconds)}
VERIFIED_FOR = 3600  # seconds


def bind(rights_request):
    now = int(time.time())
    held = {key: at for key, at in session.get(KEY, {}).items() if now - at < VERIFIED_FOR}
    session[KEY] = {**held, str(rights_request.id): now}


def holds(rights_request):
    """Whether this browser verified the request less than VERIFIED_FOR ago."""
    verified_at = session.get(KEY, {}).get(str(rights_request.id))
    return isinstance(verified_at, int) and time.time() - verified_at < VERIFIED_FOR
