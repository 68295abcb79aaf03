"""The signed links of the newsletter's mails: confirm (valid 7 days) and unsubscribe (no expiry).

A token names the subscription and a piece of its address's keyed hash, so a link keeps working
only for the subscription it was made for (never for a later one of the same address).
"""

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

CONFIRM_SALT = "koki-newsletter-confirm"
UNSUBSCRIBE_SALT = "koki-newsletter-unsubscribe"
CONFIRM_MAX_AGE = 7 * 86400


def make(subscription, salt):
    serializer = URLSafeTimedSerializer(current_app.secret_key, salt=salt)
    return serializer.dumps({"id": subscription.id, "h": subscription.email_hmac[:16]})


def read(token, salt, max_age=None):
    """(id, hash prefix) of a valid token, else None."""
    try:
        payload = URLSafeTimedSerializer(current_app.secret_key, salt=salt).loads(token, max_age=max_age)
    except BadData:
        return None
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("id"), int)
        or not isinstance(payload.get("h"), str)
    ):
        return None
    return payload["id"], payload["h"]
