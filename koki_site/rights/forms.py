"""The rights request form, and the forms a verified visitor fills in (rectification, directives)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from koki_site import submissions
from koki_site.form_validators import email_address, no_nul, single_line, strip


class RightsRequestForm(FlaskForm):
    submission = submissions.field()  # a second POST of this rendered form is stored once
    right = RadioField(_l("Your request"), validators=[DataRequired(_l("Choose the right you exercise."))])
    email = EmailField(
        _l("Email address"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give your email address.")),
            Length(max=254),
            single_line,
            email_address,
        ],
    )
    details = TextAreaField(
        _l("Details (optional)"), filters=[strip], validators=[Optional(), Length(max=2000), no_nul]
    )


class RectificationForm(FlaskForm):
    first_name = StringField(
        _l("First name"), filters=[strip], validators=[Optional(), Length(max=100), single_line]
    )
    last_name = StringField(
        _l("Last name"), filters=[strip], validators=[Optional(), Length(max=100), single_line]
    )
    company = StringField(
        _l("Company"), filters=[strip], validators=[Optional(), Length(max=200), single_line]
    )
    phone = TelField(_l("Telephone"), filters=[strip], validators=[Optional(), Length(max=40), single_line])

    def changes(self):
        return {
            name: self[name].data
            for name in ("first_name", "last_name", "company", "phone")
            if self[name].data
        }


class DirectivesForm(FlaskForm):
    designated_person = StringField(
        _l("The person who is to see to them (name and how to reach them)"),
        filters=[strip],
        validators=[DataRequired(_l("Name the person.")), Length(max=300), single_line],
    )
    directives = TextAreaField(
        _l("Your directives"),
        filters=[strip],
        validators=[DataRequired(_l("Write your directives.")), Length(max=5000), no_nul],
    )
