"""Form checks every capability's forms share: trimming, one-line fields, real email syntax.

Each message says how to put the field right, not only what is wrong (GOV.UK's error messages):
it is shown next to the field and, as a link to it, in the error summary at the top of the form.
"""

from flask_babel import format_number
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

from koki_site.core import phones


def strip(value):
    return value.strip() if isinstance(value, str) else value


def text_block(value):
    """A textarea's text, trimmed, with LF line breaks: browsers send a textarea's as CRLF, and
    the code that looks for a line (a signature's "-- ") looks for LF."""
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def single_line(form, field):
    """CR, LF and NUL could forge a mail header: refused in every one-line field."""
    if field.data and any(char in field.data for char in "\r\n\0"):
        raise ValidationError(_l("Write this on one line, without line breaks."))


def no_nul(form, field):
    if field.data and "\0" in field.data:
        raise ValidationError(_l("Remove the control character (NUL) from this text."))


def email_address(form, field):
    """A syntactically valid address (no DNS look-up), normalised."""
    from email_validator import EmailNotValidError, validate_email  # loaded when a form is sent

    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationError(
            _l("Enter an email address in the right format, like name@example.com.")
        ) from error


def telephone(form, field):
    """A valid number, French unless it starts with + or 00; kept in E.164 (koki_site/core/phones.py)."""
    if not field.data:
        return
    number = phones.to_e164(field.data)
    if number is None:
        raise ValidationError(
            _l(
                "Enter a telephone number, like 01\u00a099\u00a000\u00a012\u00a034, or with its country "
                "code, like +44\u00a020\u00a07946\u00a00123."
            )
        )
    field.data = number


def at_most(limit):
    """At most limit characters; the message gives the limit in the page's number format.

    (WTForms' Length would say it in English, and print 5000 as 5000 in French too.)
    """

    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(
                _l(
                    "Shorten this to %(limit)s characters or fewer (it has %(length)s).",
                    limit=format_number(limit),
                    length=format_number(len(field.data)),
                )
            )

    return check
