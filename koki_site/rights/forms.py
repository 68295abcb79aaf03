"""The rights request form, and the forms a verified visitor fills in (rectification, directives)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from koki_site.core import person_fields, phones, submissions
from koki_site.core.form_validators import at_most, no_nul, single_line, strip, text_block

RECTIFIABLE = ("first_name", "last_name", "company", "phone")  # what the rectification form changes


class RightsRequestForm(FlaskForm):
    submission = submissions.field()  # a second POST of this rendered form is stored once
    right = RadioField(
        _l("What do you want to do?"), validators=[DataRequired(_l("Choose what you want to do."))]
    )
    email = person_fields.email()
    details = TextAreaField(
        _l("Details (optional)"), filters=[text_block], validators=[Optional(), at_most(2000), no_nul]
    )


class RectificationForm(FlaskForm):
    """The details we hold, as they are now: the person changes what is wrong, clears what is optional."""

    first_name = person_fields.first_name()
    last_name = person_fields.last_name()
    company = person_fields.company()
    phone = person_fields.phone()

    @classmethod
    def showing(cls, details):
        """The form filled with the details held (a number as people write it), unless posted."""
        shown = {**details, "phone": phones.display(details.get("phone"))}
        return cls(data=shown)

    def details(self):
        """The details as they are to be: every field, an empty one cleared."""
        return {name: self[name].data or "" for name in RECTIFIABLE}


class DirectivesForm(FlaskForm):
    designated_person = StringField(
        _l("The person who is to see to them (name and how to reach them)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Enter the name of the person, and how to reach them.")),
            at_most(300),
            single_line,
        ],
    )
    directives = TextAreaField(
        _l("Your directives"),
        filters=[text_block],
        validators=[DataRequired(_l("Write your directives.")), at_most(5000), no_nul],
    )
