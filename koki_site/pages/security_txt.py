"""GET /.well-known/security.txt (RFC 9116): where to report a vulnerability, from configuration.

Contact from SECURITY_CONTACT, Expires from SECURITY_TXT_EXPIRES, Preferred-Languages from the
site's languages, Canonical from SITE_URL, never from the request's host. Without a contact there is
no such file: 404. Both keys are checked as the app starts, so a mistyped one stops it with a
message naming the key rather than serving a file a scanner would reject.
"""

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import abort, current_app, redirect, url_for

from koki_site.core.site_url import external_url
from koki_site.pages import site_bp as site

CONTACT_EXAMPLE = "'mailto:security@koki-software.fr' or 'https://www.koki-software.fr/security'"
EXPIRES_EXAMPLE = "'2027-06-30T00:00:00+02:00' or '2027-06-30T00:00:00Z'"
MAIL_ADDRESS = re.compile(r"[^@]+@[^@]+")


def check_at_start(app):
    """Stop the app, clearly, on a contact or an expiry date the file could not state."""
    # Without a contact an expiry date is unused, but a typo in it is better found now.
    if contacts(app.config) or app.config["SECURITY_TXT_EXPIRES"]:
        expires(app.config)


def contacts(config):
    """SECURITY_CONTACT as a list of URIs (one string is a list of one); [] when unset."""
    value = config["SECURITY_CONTACT"] or []
    entries = [value] if isinstance(value, str) else value
    if not isinstance(entries, list | tuple):
        raise RuntimeError(f"SECURITY_CONTACT must be a URI or a list of URIs, such as {CONTACT_EXAMPLE}.")
    for position, uri in enumerate(entries, start=1):
        if not is_contact(uri):
            which = f"entry {position} " if len(entries) > 1 else ""
            raise RuntimeError(
                f"SECURITY_CONTACT {which}must be a mailto: or https: URI, such as {CONTACT_EXAMPLE}: "
                f"{uri!r} is not."
            )
    return list(entries)


def is_contact(uri):
    """Whether uri is a mailto: URI with an address, or an https: URI with a host, on one line."""
    if not isinstance(uri, str) or not uri.isascii() or not uri.isprintable() or " " in uri:
        return False
    parts = urlsplit(uri)
    if parts.scheme == "mailto":
        return bool(MAIL_ADDRESS.fullmatch(parts.path))
    return parts.scheme == "https" and bool(parts.hostname)


def expires(config):
    """SECURITY_TXT_EXPIRES as RFC 9116 writes it, in UTC: 2027-06-29T22:00:00Z."""
    value = config["SECURITY_TXT_EXPIRES"]
    if not value:
        raise RuntimeError(
            "SECURITY_TXT_EXPIRES is required with SECURITY_CONTACT: the date after which the "
            f"contact should no longer be trusted, less than a year ahead, such as {EXPIRES_EXAMPLE}."
        )
    try:
        moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise RuntimeError(
            "SECURITY_TXT_EXPIRES must be an ISO 8601 date and time with its offset from UTC, "
            f"such as {EXPIRES_EXAMPLE}: {value!r} is not."
        )
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@site.get("/.well-known/security.txt")
def security_txt():
    """Who to tell of a vulnerability, and until when; 404 when no contact is configured."""
    config = current_app.config
    found = contacts(config)
    if not found:
        abort(404)
    lines = [f"Contact: {uri}" for uri in found]
    lines += [
        f"Expires: {expires(config)}",
        f"Preferred-Languages: {', '.join(config['LANGUAGES'])}",
        f"Canonical: {external_url('site.security_txt')}",
    ]
    return "\n".join(lines) + "\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@site.get("/security.txt")
def security_txt_at_the_root():
    """The place older scanners look: sent on to the file's own (RFC 9116, section 3)."""
    if not contacts(current_app.config):
        abort(404)
    return redirect(url_for("site.security_txt"), 301)
