"""Error pages in the visitor's language: the URL prefix, else Accept-Language."""

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import BadRequest, HTTPException, ServiceUnavailable

from koki_site.core import site_url
from koki_site.extensions import db

ERRORS = {
    400: (_l("Bad request"), _l("We could not understand what was sent. Please check it and try again.")),
    403: (_l("Access denied"), _l("You are not allowed to see this page.")),
    404: (_l("Page not found"), _l("This page does not exist or has moved.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    413: (_l("Request too large"), _l("What you sent is too large. Please shorten it and try again.")),
    429: (
        _l("Too many requests"),
        _l("You sent too many requests in a short time. Wait a minute, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error occurred on our side. Please try again in a few minutes."),
    ),
    503: (
        _l("Service unavailable"),
        _l("The site is temporarily unavailable. Please try again in a few minutes."),
    ),
}
KEPT_HEADERS = ("Allow", "Retry-After")
# Seconds a 503 asks the visitor to wait; nginx's own 503 says the same (deploy/nginx/koki-site.conf).
RETRY_AFTER_SECONDS = 30


class BadValue(BadRequest):
    """A 400 whose page says which value was wrong (message: text in the visitor's language)."""

    def __init__(self, message):
        super().__init__()
        self.message = message


def init_app(app):
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(OperationalError, database_unavailable)


def is_staff_path(path):
    return path == "/staff" or path.startswith("/staff/")


def database_unavailable(error):
    """The database is down, restarting or too slow (statement timeout): 503, try again soon.

    A form that stores something catches this itself, to show the visitor's text again.
    """
    db.session.rollback()
    current_app.logger.exception("database unavailable")
    return render_error(ServiceUnavailable(retry_after=RETRY_AFTER_SECONDS))


def render_error(error):
    """Every HTTP error, 500 included (Flask wraps unhandled exceptions in InternalServerError).

    Under /staff, the page is the back office's (its menu, no cookie banner: staff are not visitors).
    """
    code = error.code or 500
    site_url.bind_untrusted_request()
    title, message = ERRORS.get(code, ERRORS[500 if code >= 500 else 400])
    message = getattr(error, "message", message)
    template = "staff/error.html" if is_staff_path(request.path) else "errors/error.html"
    # A server error may be the database's: the staff page then shows no menu (it reads the account).
    body = render_template(template, code=code, title=title, message=message, minimal=code >= 500)
    headers = {name: value for name, value in error.get_headers() if name in KEPT_HEADERS}
    return body, code, headers
