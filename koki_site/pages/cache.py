"""The public pages' cache: each page rendered once per process, then served from memory.

The policy pages are the same for every visitor of one language and consent state (banner or
not, choices ticked), and rendering them costs more than serving them. `cached` keeps a view's
page, keyed on the path, the query a page reads (`saved=1` on /cookies) and the consent state
(the signed koki_consent cookie, the Sec-GPC header); the request goes through Flask as any
other (locale, session, statistics, security headers), only the rendering is skipped. Each page
carries a strong ETag, the hash of its body; If-None-Match gets a 304. Never the Host (absolute
URLs come from SITE_URL) nor another query string: odd hosts and made-up queries neither fill nor
flush the cache. Off in debug. In production nginx keeps these pages too, for visitors who send
no cookie (deploy/nginx/koki-site.conf).
"""

import hashlib
from dataclasses import dataclass
from functools import wraps

from flask import current_app, request

from koki_site.core import consent_cookie, security

MAX_ENTRIES = 256
CACHE_CONTROL = "public, no-cache"  # any cache may keep it, and checks its ETag before reusing it
# How long nginx, in front (deploy/nginx/koki-site.conf), may answer a kept page without asking:
# it counts `no-cache` as "never keep", so it gets its own header, which it does not pass on.
# After that, it asks again with the ETag. A deploy shows at the latest that much later.
PROXY_SECONDS = 60
SERVED_QUERIES = (b"", b"saved=1")


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str  # unquoted

    @classmethod
    def of(cls, html):
        body = html.encode()
        return cls(body, hashlib.sha256(body).hexdigest()[:32])


def cached(view=None, *, args=(), unless=None):
    """Keep view's page; args: the query arguments that change it (`saved`).

    unless: a function that is true when this request's page is the visitor's own (the cookie
    settings once a choice is made show its date and number): rendered, never kept, no-store.
    """
    if view is None:
        return lambda view: cached(view, args=args, unless=unless)

    @wraps(view)
    def wrapper(**kwargs):
        if unless and unless():
            security.shows_visitor_data()
            return view(**kwargs)
        if current_app.debug or not current_app.config["PAGE_CACHE"]:
            return view(**kwargs)
        pages = current_app.extensions.setdefault("koki_page_cache", {})
        key = (request.path, *(bool(request.args.get(name)) for name in args), consent_cookie.state())
        page = pages.get(key)
        if page is None:
            page = Page.of(view(**kwargs))
            if len(pages) >= MAX_ENTRIES:
                pages.clear()
            pages[key] = page
        return respond(page)

    return wrapper


def respond(page):
    """The page, or 304 without a body when the client holds it (If-None-Match)."""
    if request.if_none_match.contains(page.etag):
        response = current_app.response_class(status=304)
        del response.headers["Content-Type"]
    else:
        response = current_app.response_class(page.body, mimetype="text/html")
    if request.query_string in SERVED_QUERIES:  # a made-up query fills no cache
        # Before Cache-Control: nginx 1.22 reads it only then.
        response.headers["X-Accel-Expires"] = str(PROXY_SECONDS)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.set_etag(page.etag)
    return response
