"""The public pages' cache: rendered once per process, then served before Flask does anything.

The policy pages are the same for every visitor of one language and consent state (banner or
not, choices ticked), and rendering them costs more than serving them. `cached` marks a view's
answer as a page to keep; `FastPages`, a WSGI middleware in front of Flask, keeps it whole
(status, every header, body) once Flask has answered, and serves it again from memory, keyed on
the scheme, the path, the query a page reads (`saved=1` on /cookies) and the consent state (the
signed koki_consent cookie, the Sec-GPC header): no routing, locale selection, session, form or
after-request work. So the headers are exactly those Flask gave. A consenting visitor's view is
counted on the way (statistics.counting: in memory). Each page carries a strong ETag, the hash of
its body; If-None-Match gets a 304. Never the Host (absolute URLs come from SITE_URL) nor another
query string: odd hosts and made-up queries neither fill nor flush the cache. Off in debug.
"""

import hashlib
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, make_response, request
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_cookie, parse_etags
from werkzeug.wsgi import get_host

from koki_site import consent_cookie, cookies, security
from koki_site.statistics import counting

MARK = "X-Koki-Page"  # set by `cached`, removed by FastPages: "<counted page> <language>"
MAX_ENTRIES = 256
CACHE_CONTROL = "public, no-cache"  # any cache may keep it, and checks its ETag before reusing it
# How long nginx, in front (deploy/nginx/koki-site.conf), may answer a kept page without asking:
# it counts `no-cache` as "never keep", so it gets its own header, which it does not pass on.
# After that, it asks again with the ETag. A deploy shows at the latest that much later.
PROXY_SECONDS = 60
SERVED_QUERIES = ("", "saved=1")
DROPPED_ON_304 = {"content-length", "content-type"}


def cached(view=None, *, args=(), unless=None):
    """Mark view's answer as a cached page; args: the query arguments that change it (`saved`).

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
        html_cache = current_app.extensions.setdefault("koki_page_cache", {})
        key = (request.path, *(bool(request.args.get(name)) for name in args), consent_cookie.state())
        html = html_cache.get(key)
        if html is None:
            html = view(**kwargs)
            if len(html_cache) >= MAX_ENTRIES:
                html_cache.clear()
            html_cache[key] = html
        response = make_response(html)
        if request.query_string.decode("latin-1") in SERVED_QUERIES:  # a made-up query fills no cache
            # Before Cache-Control: nginx 1.22 reads it only then.
            response.headers["X-Accel-Expires"] = str(PROXY_SECONDS)
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.headers[MARK] = f"{counting.counted_page()} {g.lang_code}"
        return response

    return wrapper


@dataclass(frozen=True)
class Page:
    status: str
    headers: list
    body: bytes
    etag: str  # unquoted
    counted: str  # the page as statistics count it ("/privacy")
    language: str


class FastPages:
    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.pages = {}

    def __call__(self, environ, start_response):
        if (
            environ["REQUEST_METHOD"] not in ("GET", "HEAD")
            or self.app.debug
            or not self.app.config["PAGE_CACHE"]
        ):
            return self.wsgi_app(environ, start_response)
        with self.app.app_context():
            key, decision = self.key(environ)
            page = self.pages.get(key) if key else None
            if page is not None and counted(page, decision, environ):
                return respond(page, environ, start_response)
        return self.through_flask(key, environ, start_response)

    def key(self, environ):
        """(key, consent decision) of a request the cache may answer; (None, None) otherwise."""
        query = environ.get("QUERY_STRING", "")
        if query not in SERVED_QUERIES or not self.trusted(environ):
            return None, None
        value = request_cookies(environ).get(cookies.CONSENT.name)
        decision = consent_cookie.load(value) if value else None
        state = consent_cookie.state_of(decision, environ.get("HTTP_SEC_GPC", ""))
        return (environ["wsgi.url_scheme"], environ.get("PATH_INFO", ""), query, state), decision

    def trusted(self, environ):
        hosts = self.app.config["TRUSTED_HOSTS"]
        try:
            hosts and get_host(environ, hosts)
        except SecurityError:
            return False  # Flask answers it: the 400 page
        return True

    def through_flask(self, key, environ, start_response):
        """Let Flask answer; keep the answer when it is a page to cache, then send it."""
        seen = {}

        def keep_start(status, headers, exc_info=None):
            seen.update(status=status, headers=headers)
            mark = next((value for name, value in headers if name == MARK), None)
            if mark is None:
                return start_response(status, headers, exc_info)
            seen["mark"] = mark
            return lambda data: None  # a cached page never writes through write()

        answer = self.wsgi_app(environ, keep_start)
        if "mark" not in seen:
            return answer
        try:
            body = b"".join(answer)
        finally:
            getattr(answer, "close", lambda: None)()
        page = page_of(seen["status"], seen["headers"], body, seen["mark"])
        if key is not None and keepable(page, environ):
            if len(self.pages) >= MAX_ENTRIES:
                self.pages.clear()
            self.pages[key] = page
        return respond(page, environ, start_response)


def keepable(page, environ):
    """Only a whole page is kept: a GET's 200 with all its body, no cookie of its own.

    Flask answers HEAD with no body and the GET's Content-Length: kept, it would truncate
    every later GET. HEAD is answered from what a GET stored, or by Flask, never stored.
    """
    headers = {name.lower(): value for name, value in page.headers}
    return (
        environ["REQUEST_METHOD"] == "GET"
        and page.status.startswith("200")
        and "set-cookie" not in headers
        and headers.get("content-length") == str(len(page.body))
    )


def page_of(status, headers, body, mark):
    etag = hashlib.sha256(body).hexdigest()[:32]
    headers = [(name, value) for name, value in headers if name != MARK] + [("ETag", f'"{etag}"')]
    counted_page, _, language = mark.partition(" ")
    return Page(status, headers, body, etag, counted_page, language)


def counted(page, decision, environ):
    """Count a consenting visitor's view; False when the visitor needs a cookie Flask must set."""
    if decision is None or not decision.choices["statistics"]:
        return True
    raw = request_cookies(environ).get(cookies.STATISTICS.name)
    visitor_id = consent_cookie.unsign(cookies.STATISTICS, raw) if raw else None
    if not isinstance(visitor_id, str) or len(visitor_id) > 64:
        return False
    counting.count(page.counted, page.language, visitor_id)
    return True


def request_cookies(environ):
    """The request's cookies, parsed once."""
    if "koki.cookies" not in environ:
        environ["koki.cookies"] = parse_cookie(environ.get("HTTP_COOKIE", ""))
    return environ["koki.cookies"]


def respond(page, environ, start_response):
    """The page, or 304 when the client holds it (If-None-Match), HEAD without its body."""
    if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains(page.etag) and page.status.startswith("200"):
        start_response(
            "304 NOT MODIFIED", [(n, v) for n, v in page.headers if n.lower() not in DROPPED_ON_304]
        )
        return [b""]
    start_response(page.status, page.headers)
    return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]
