"""The contact form (SPEC §4), and the inbox's forms: reply, note, status, assignment."""

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from koki_site import submissions
from koki_site.contact.models import STATUSES
from koki_site.form_validators import email_address, no_nul, single_line, strip

MESSAGE_MAX = 5000


class ContactForm(FlaskForm):
    submission = submissions.field()  # a second POST of this rendered form is stored once
    first_name = StringField(
        _l("First name"),
        filters=[strip],
        validators=[DataRequired(_l("Please give your first name.")), Length(max=100), single_line],
    )
    last_name = StringField(
        _l("Last name"),
        filters=[strip],
        validators=[DataRequired(_l("Please give your last name.")), Length(max=100), single_line],
    )
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
    company = StringField(
        _l("Company (optional)"), filters=[strip], validators=[Optional(), Length(max=200), single_line]
    )
    phone = TelField(
        _l("Telephone (optional)"), filters=[strip], validators=[Optional(), Length(max=40), single_line]
    )
    message = TextAreaField(
        _l("Your message"),
        filters=[strip],
        validators=[DataRequired(_l("Please write your message.")), Length(max=MESSAGE_MAX), no_nul],
    )
    # The honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"))

    def validate_phone(self, field):
        if not field.data:
            return
        try:
            number = phonenumbers.parse(field.data, "FR")
        except phonenumbers.NumberParseException as error:
            raise ValidationError(_l("This telephone number is not valid.")) from error
        if not phonenumbers.is_valid_number(number):
            raise ValidationError(_l("This telephone number is not valid."))
        field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    def is_bot(self):
        return bool(self.website.data)

    def identity(self):
        """What the visitor may let us remember (koki_prefs): never the message."""
        return {
            name: self[name].data or "" for name in ("first_name", "last_name", "email", "company", "phone")
        }


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Reply to the visitor"),
        filters=[strip],
        validators=[DataRequired(_l("Write the reply.")), Length(max=10000), no_nul],
    )
    saved = IntegerField(_l("Saved reply"), validators=[Optional()])  # which one to insert


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Internal note (never sent)"),
        id="note-body",  # the reply's box, on the same page, is "body"
        filters=[strip],
        validators=[DataRequired(_l("Write the note.")), Length(max=10000), no_nul],
    )


# The inbox's templates draw their own select and buttons; these check what comes back.
class StatusForm(FlaskForm):
    status = StringField(validators=[AnyOf(STATUSES)])


class AssignForm(FlaskForm):
    assign = StringField(validators=[AnyOf(("me", "nobody"))])


class BulkForm(FlaskForm):
    """Several messages of the list closed or marked as spam at once."""

    ids = SelectMultipleField(coerce=int, validate_choice=False, validators=[DataRequired()])
    status = StringField(validators=[AnyOf(("closed", "spam"))])


class SavedReplyForm(FlaskForm):
    language = SelectField(_l("Language"), validators=[DataRequired()])
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Give it a title.")), Length(max=100), single_line],
    )
    body = TextAreaField(
        _l("Text"),
        filters=[strip],
        validators=[DataRequired(_l("Write the text.")), Length(max=5000), no_nul],
    )


def signature_form(languages, labels, data):
    """One optional signature per language (the languages are configuration, so is the form)."""

    class SignatureForm(FlaskForm):
        pass

    for code in languages:
        field = TextAreaField(
            labels[code], filters=[strip], validators=[Optional(), Length(max=1000), no_nul]
        )
        setattr(SignatureForm, f"signature_{code}", field)
    return SignatureForm(data=data)
