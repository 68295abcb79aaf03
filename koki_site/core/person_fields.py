"""The fields that say who a person is, the same on every form that asks: the contact form and the
rectification of what we hold. One label, one limit, one message for each, wherever it is typed."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TelField
from wtforms.validators import DataRequired, Optional

from koki_site.core.form_validators import at_most, email_address, single_line, strip, telephone


def first_name():
    return StringField(
        _l("First name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your first name.")), at_most(100), single_line],
    )


def last_name():
    return StringField(
        _l("Last name"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your last name.")), at_most(100), single_line],
    )


def email():
    return EmailField(
        _l("Email address"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your email address.")), at_most(254), single_line, email_address],
    )


def company():
    return StringField(
        _l("Company (optional)"), filters=[strip], validators=[Optional(), at_most(200), single_line]
    )


def phone():
    return TelField(
        _l("Telephone (optional)"),
        filters=[strip],
        validators=[Optional(), at_most(40), single_line, telephone],
    )
