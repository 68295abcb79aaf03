"""The contact form, and the inbox's forms: reply, note, status, assignment."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from koki_site.contact.models import STATUSES, TOPICS
from koki_site.core import person_fields, phones, submissions
from koki_site.core.form_validators import at_most, no_nul, single_line, strip, text_block

MESSAGE_MAX = 5000
# What the visitor writes about, as the form's list and the inbox name them.
TOPIC_LABELS = {
    "demo": _l("A demonstration"),
    "quote": _l("A quote"),
    "support": _l("Help with the software"),
    "partnership": _l("A partnership"),
    "other": _l("Something else"),
}
assert tuple(TOPIC_LABELS) == TOPICS


class ContactForm(FlaskForm):
    submission = submissions.field()  # a second POST of this rendered form is stored once
    first_name = person_fields.first_name()
    last_name = person_fields.last_name()
    email = person_fields.email()
    company = person_fields.company()
    phone = person_fields.phone()
    topic = SelectField(
        _l("Subject (optional)"),
        choices=[
            SelectChoice("", _l("Choose a subject")),
            *(SelectChoice(*item) for item in TOPIC_LABELS.items()),
        ],
        validate_choice=False,  # AnyOf says it in our words (WTForms' own message is English only)
        validators=[Optional(), AnyOf(TOPICS, message=_l("Choose a subject from the list, or none."))],
    )
    message = TextAreaField(
        _l("Your message"), filters=[text_block], validators=[at_most(MESSAGE_MAX), no_nul]
    )
    # The honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"))

    def validate_message(self, field):
        """Required, but for a demonstration: the topic says what the visitor wants."""
        if not field.data and not self.asks_for_demo():
            raise ValidationError(_l("Write your message."))

    def asks_for_demo(self):
        return self.topic.data == "demo"

    def is_bot(self):
        return bool(self.website.data)

    def identity(self):
        """What the visitor may let us remember (koki_prefs): never the message."""
        return {
            name: self[name].data or "" for name in ("first_name", "last_name", "email", "company", "phone")
        }

    def show_phone_as_typed(self):
        """The stored form of a remembered number (E.164) shown as people write it: 06 12 34 56 78."""
        self.phone.data = phones.display(self.phone.data)


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Reply to the visitor"),
        filters=[text_block],
        validators=[DataRequired(_l("Write the reply.")), Length(max=10000), no_nul],
    )
    saved = IntegerField(_l("Saved reply"), validators=[Optional()])  # which one to insert


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Internal note (never sent)"),
        id="note-body",  # the reply's box, on the same page, is "body"
        filters=[text_block],
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
        filters=[text_block],
        validators=[DataRequired(_l("Write the text.")), Length(max=5000), no_nul],
    )


def signature_form(languages, labels, data):
    """One optional signature per language (the languages are configuration, so is the form)."""

    class SignatureForm(FlaskForm):
        pass

    for code in languages:
        field = TextAreaField(
            labels[code], filters=[text_block], validators=[Optional(), Length(max=1000), no_nul]
        )
        setattr(SignatureForm, f"signature_{code}", field)
    return SignatureForm(data=data)
