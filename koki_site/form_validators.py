"""Form checks every capability's forms share: trimming, one-line fields, real email syntax."""

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError


def strip(value):
    return value.strip() if isinstance(value, str) else value


def single_line(form, field):
    """CR, LF and NUL could forge a mail header: refused in every one-line field."""
    if field.data and any(char in field.data for char in "\r\n\0"):
        raise ValidationError(_l("This field must fit on one line."))


def no_nul(form, field):
    if field.data and "\0" in field.data:
        raise ValidationError(_l("This field holds a character that is not allowed."))


def email_address(form, field):
    """A syntactically valid address (no DNS look-up), normalised."""
    from email_validator import EmailNotValidError, validate_email  # loaded when a form is sent

    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValidationError(_l("This email address is not valid.")) from error
