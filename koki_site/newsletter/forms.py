"""The subscription form: an address, and submitting it is the consent."""

from flask_wtf import FlaskForm

from koki_site.core import person_fields, submissions


class SubscribeForm(FlaskForm):
    submission = submissions.field()  # a second POST of this rendered form is stored once
    email = person_fields.email()
