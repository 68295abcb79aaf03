"""The kinds of records the purge and the rights count ("contact messages": 3), in the reader's words.

The processings return counts keyed by these English names (the CLI prints them as they are);
pages, the audit log included, show them through `label`.
"""

from flask_babel import lazy_gettext as _l

LABELS = {
    "contact messages": _l("Contact messages"),
    "newsletter subscriptions": _l("Newsletter subscriptions"),
    "unconfirmed subscriptions": _l("Unconfirmed newsletter subscriptions"),
    "newsletter withdrawal proofs": _l("Proofs of newsletter consent after unsubscribing"),
    "unverified rights requests": _l("Rights requests never confirmed"),
    "answered rights requests": _l("Answered rights requests"),
    "rights request": _l("Rights request"),
    "consent ledger rows": _l("Cookie consent records"),
    "audit entries": _l("Audit log entries"),
    "daily page views": _l("Daily page views"),
    "daily cookie decisions": _l("Daily cookie decisions"),
    "undelivered mail": _l("Undelivered mail"),
    "mail waiting to be sent": _l("Mail waiting to be sent"),
    "failed staff logins": _l("Failed staff logins"),
}


def label(kind):
    return LABELS.get(kind, kind)
