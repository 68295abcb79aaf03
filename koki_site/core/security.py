"""Response headers, the request body limit, and the same-origin check of cookie-free forms."""

from urllib.parse import urlsplit

from flask import abort, current_app, g, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), geolocation=(), microphone=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

HSTS = "max-age=63072000; includeSubDomains"
NO_STORE = "no-store"


def init_app(app):
    app.before_request(refuse_large_body)
    app.before_request(refuse_nul)
    app.after_request(add_security_headers)


def refuse_large_body():
    """Answer 413 from the declared length, before routing reads anything of the body."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if limit and request.content_length and request.content_length > limit:
        abort(413)


def refuse_nul():
    """A NUL in the query string is nobody's typing: 400 here, not a database error later.

    PostgreSQL refuses NUL in text. Forms check their own fields (form_validators: no_nul,
    single_line), so that what the visitor typed comes back with a message on the field.
    """
    if any("\0" in name or "\0" in value for name, value in request.args.items(multi=True)):
        abort(400)


def shows_visitor_data():
    """This answer shows the visitor's own data: no browser or shared cache may keep it.

    Answers to a POST are treated so without asking (a form shown again holds what was typed).
    """
    g.shows_visitor_data = True


def add_security_headers(response):
    present = {name.lower() for name, _ in response.headers}  # one pass: this runs on every response
    for name, value in HEADERS.items():
        if name.lower() not in present:
            response.headers.add(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if g.get("shows_visitor_data") or request.method not in ("GET", "HEAD"):
        response.headers["Cache-Control"] = NO_STORE
    return response


def is_same_origin():
    """Whether a POST comes from a page of this site (OWASP: Fetch Metadata, then Origin).

    Hosts are compared, not schemes, so that a site behind a TLS-ending proxy still matches.
    A request that says nothing of where it comes from is refused.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc == request.host


def is_site_path(target):
    """Whether target is a path of this site, safe to redirect to: no scheme, no host, no //, no \\."""
    parts = urlsplit(target or "")
    return (
        bool(target)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not parts.scheme
        and not parts.netloc
        and target.isprintable()
    )
