"""Subscribing as a browser would, and finding the links in the mail that came."""

import re

from tests.conftest import SITE_URL
from tests.helpers import soup
from tests.helpers.mail import text_of


def subscribe(client, email, lang="en"):
    field = soup(client.get(f"/{lang}/newsletter")).find("input", attrs={"name": "csrf_token"})
    return client.post(f"/{lang}/newsletter", data={"email": email, "csrf_token": field["value"]})


def links(message):
    """{"confirm": path, "unsubscribe": path} of a newsletter mail, as paths of the site."""
    found = re.findall(
        re.escape(SITE_URL) + r"(/\w\w/newsletter/(confirm|unsubscribe)/[\w.-]+)", text_of(message)
    )
    return {kind: path for path, kind in found}


def header_path(message):
    """The path of the List-Unsubscribe header's URL."""
    return re.fullmatch("<" + re.escape(SITE_URL) + r"(/.+)>", message["List-Unsubscribe"]).group(1)
