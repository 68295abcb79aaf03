"""Helpers for the consent tests: deciding as a browser would, reading Set-Cookie lines."""

import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.conftest import SECRET

SAME_ORIGIN = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


def decide(client, choice, purposes=(), lang="en", next_path=None, source="banner", headers=SAME_ORIGIN):
    data = {"choice": choice, "lang": lang, "source": source, "next": next_path or f"/{lang}/"}
    data.update({purpose: "on" for purpose in purposes})
    return client.post("/consent", data=data, headers=headers)


def set_cookies(response):
    """{name: the whole Set-Cookie line} of a response."""
    return {line.split("=", 1)[0]: line for line in response.headers.getlist("Set-Cookie")}


def signed(payload, age_seconds=0):
    """A koki_consent value as the site signs it, age_seconds ago."""

    class Signer(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - age_seconds)

    return URLSafeTimedSerializer(SECRET, salt="koki-consent", signer=Signer).dumps(payload)


def payload(version, **choices):
    chosen = {"statistics": False, "enhancement": False, "requests": False, **choices}
    return {"v": version, "id": "0123456789abcdef", "c": chosen}
