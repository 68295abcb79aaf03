"""The subscription form: an address, and submitting it is the consent."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired

from koki_site.core import submissions
from koki_site.core.form_validators import at_most, email_address, single_line, strip


class SubscribeForm(FlaskForm):
    submission = submissions.field()  # a second POST of this rendered form is stored once
    email = EmailField(
        _l("Email address"),
        filters=[strip],
        validators=[DataRequired(_l("Enter your email address.")), at_most(254), single_line, email_address],
    )
