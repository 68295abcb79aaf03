"""The site's own address (SITE_URL): every absolute URL the site writes is built from it.

Links in mails, List-Unsubscribe, canonical and hreflang links never come from the request's
Host, X-Forwarded-Host or Forwarded headers: those are the client's to choose, and a forged one
would put an attacker's address in a mail carrying a token.
"""

from urllib.parse import urlsplit

from flask import current_app
from flask.globals import request_ctx


def adapter():
    """A URL adapter bound to SITE_URL: scheme, host and any path prefix."""
    parts = urlsplit(current_app.config["SITE_URL"])
    return current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme or "https"
    )


def external_url(endpoint, **values):
    """The absolute URL of endpoint on SITE_URL, with the same defaults as url_for (the language)."""
    anchor = values.pop("_anchor", None)
    current_app.inject_url_defaults(endpoint, values)
    url = adapter().build(endpoint, values, force_external=True)
    return f"{url}#{anchor}" if anchor else url


def bind_untrusted_request():
    """A request refused for its Host has no URL adapter: give it SITE_URL's, so its 400 page renders.

    Links on that page are then built from the site's address, never from the refused host.
    """
    if request_ctx and request_ctx.url_adapter is None:
        request_ctx.url_adapter = adapter()
