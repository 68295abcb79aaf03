"""Posting the contact form as a browser would: read the page, keep its token, send the fields."""

from urllib.parse import urlsplit

from tests.helpers import soup

VALID = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.org",
    "company": "Analytical Engines",
    "phone": "06 12 34 56 78",
    "message": "Bonjour, je voudrais une démonstration.",
}


def csrf_token(client, path):
    field = soup(client.get(path)).find("input", attrs={"name": "csrf_token"})
    return field["value"] if field else ""


def send_contact(client, lang="en", token=True, **fields):
    data = {**VALID, **fields}
    if token:
        data["csrf_token"] = csrf_token(client, f"/{lang}/contact")
    return client.post(f"/{lang}/contact", data=data)


def reference_of(sent):
    """The reference in a contact form's redirect: /en/contact/sent/KOKI-2026-00001#main."""
    return urlsplit(sent.headers["Location"]).path.rsplit("/", 1)[1]
