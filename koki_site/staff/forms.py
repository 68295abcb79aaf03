"""The staff forms: login, logout, accounts and their actions, one's own password, the audit filters."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from koki_site.core.auth import ROLES
from koki_site.core.form_validators import single_line, strip
from koki_site.staff import accounts, password_strength


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; a value outside the choices is a validation error."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def at_least_one(form, field):
    if not field.data:
        raise ValidationError(_("Choose at least one role."))


def roles_field():
    return CheckboxesField(
        _l("Roles"),
        choices=[SelectChoice(role, label) for role, label in ROLES.items()],
        validators=[at_least_one],
    )


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Length(max=254), single_line])
    # A bound on the length: hashing a megabyte-long "password" would only cost us time.
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])


class LogoutForm(FlaskForm):
    """Only the CSRF token: so no link, image or other site can log anyone out."""


class ActionForm(FlaskForm):
    """Only the CSRF token: a button that acts (disable, enable or unlock an account; use a mailed link)."""


class RolesForm(FlaskForm):
    roles = roles_field()


def name_field():
    return StringField(
        _l("Name (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=100), single_line],
    )


class NameForm(FlaskForm):
    name = name_field()


class AccountForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Length(max=254)])
    name = name_field()
    roles = roles_field()
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("Password again"),
        validators=[InputRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )

    def validate_email(self, field):
        try:
            field.data = accounts.normalize_email(field.data)
        except ValueError:
            raise ValidationError(_("Enter a valid email address.")) from None
        if accounts.find(field.data) is not None:
            raise ValidationError(_("An account already exists for this address."))

    def validate_password(self, field):
        weakness = password_strength.weakness(field.data, self.email.data or "")
        if weakness:
            raise ValidationError(weakness)


class PasswordForm(FlaskForm):
    """A staff member's own new password: the current one first, the new one twice."""

    current_password = PasswordField(_l("Current password"), validators=[InputRequired(), Length(max=1024)])
    new_password = PasswordField(_l("New password"), validators=[InputRequired(), Length(max=1024)])
    confirm = PasswordField(
        _l("New password again"),
        validators=[InputRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


def plausible_date(form, field):
    """A day the log could hold: 9999-12-31 would overflow the day-after arithmetic."""
    if field.data and not 2000 <= field.data.year <= 2999:
        raise ValidationError(_("Enter a date between the years 2000 and 2999."))


class AuditFilterForm(FlaskForm):
    """The audit page's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    # The choices are the actions found in the log; any other value simply matches nothing.
    action = SelectField(_l("Action"), validate_choice=False)
    actor = StringField(_l("Who (contains)"), validators=[Optional(), Length(max=254)])
    since = DateField(_l("From"), validators=[Optional(), plausible_date])
    until = DateField(_l("To"), validators=[Optional(), plausible_date])


class CodeForm(FlaskForm):
    """The second factor: a 6-digit code of the authenticator app, or a recovery code."""

    code = StringField(_l("Code"), validators=[InputRequired(), Length(max=20), single_line])
