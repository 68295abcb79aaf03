"""The consent form, posted by the banner and by the settings page."""

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, ValidationError
from wtforms.validators import AnyOf, InputRequired, Optional

from koki_site.core.consent_cookie import CHOICES, PURPOSES


class Checkbox(BooleanField):
    """A checkbox that accepts only its own value, "on": anything else is a bad request."""

    def pre_validate(self, form):
        if self.raw_data and self.raw_data != ["on"]:
            raise ValidationError("not a checkbox value")


def known_language(form, field):
    if field.data not in current_app.config["LANGUAGES"]:
        raise ValidationError("unknown language")


class ConsentForm(FlaskForm):
    # No CSRF token: pages stay free of cookies and cacheable; POST /consent checks the
    # request's Origin / Sec-Fetch-Site instead, as OWASP describes.
    class Meta:
        csrf = False

    choice = HiddenField(validators=[InputRequired(), AnyOf(CHOICES)])
    statistics = Checkbox()
    enhancement = Checkbox()
    requests = Checkbox()
    lang = HiddenField(validators=[InputRequired(), known_language])
    source = HiddenField(validators=[Optional(), AnyOf(("banner", "settings"))])
    next = HiddenField()

    def ticked(self):
        return {purpose for purpose in PURPOSES if self[purpose].data}

    @property
    def method(self):
        """How the decision was given, for the ledger: from the banner or the settings page."""
        return self.source.data or "banner"
