"""Asking for a right as a visitor would, and following the link of the mail."""

import re

from tests.conftest import SITE_URL
from tests.helpers import soup
from tests.helpers.mail import text_of


def ask(client, right, email="ada@example.org", lang="en", details=""):
    token = soup(client.get(f"/{lang}/rights")).find("input", attrs={"name": "csrf_token"})["value"]
    data = {"right": right, "email": email, "details": details, "csrf_token": token}
    return client.post(f"/{lang}/rights", data=data)


def verify_link(message):
    return re.search(re.escape(SITE_URL) + r"(/\w\w/rights/verify/[\w.-]+)", text_of(message)).group(1)


def csrf_of(page):
    field = soup(page).find("input", attrs={"name": "csrf_token"})
    return field["value"] if field else ""
