"""/staff/settings (admin): the authentication and protection settings (the privacy policy's P16).

Validated, stored in the database (koki_site/core/runtime_settings.py), audited with the old and the new
value, and in force on every worker and host within SETTINGS_CACHE_SECONDS, without a restart.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from limits import parse_many
from wtforms import IntegerField, SelectChoice, StringField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from koki_site.core import audit, runtime_settings
from koki_site.core.auth import ROLES, role_required
from koki_site.extensions import db
from koki_site.staff import bp
from koki_site.staff.forms import CheckboxesField


def rate_limit(form, field):
    try:
        if not parse_many(field.data or ""):
            raise ValueError(field.data)
    except ValueError:
        raise ValidationError(_("Write limits as “5 per minute”, several separated by “;”.")) from None


def field_of(setting):
    name = setting.key.lower()
    if setting.kind == "number":
        limits = NumberRange(setting.minimum, setting.maximum)
        return name, IntegerField(setting.label, validators=[InputRequired(), limits])
    if setting.kind == "rate_limit":
        return name, StringField(setting.label, validators=[InputRequired(), Length(max=200), rate_limit])
    choices = [SelectChoice(role, label) for role, label in ROLES.items()]
    return name, CheckboxesField(setting.label, choices=choices)


SettingsForm = type("SettingsForm", (FlaskForm,), dict(map(field_of, runtime_settings.SETTINGS)))
GROUPS = (
    (
        _l("Logins and lockout"),
        ("STAFF_MAX_FAILED_LOGINS", "STAFF_LOCKOUT_MINUTES", "STAFF_ACCOUNT_MAX_FAILED_LOGINS"),
    ),
    (
        _l("Sessions and passwords"),
        ("STAFF_IDLE_MINUTES", "STAFF_MIN_PASSWORD_LENGTH", "STAFF_MIN_PASSWORD_SCORE"),
    ),
    (_l("Two-factor authentication"), ("STAFF_2FA_ROLES",)),
    (
        _l("Rate limits of the public forms"),
        (
            "CONTACT_RATE_LIMIT",
            "NEWSLETTER_RATE_LIMIT",
            "RIGHTS_RATE_LIMIT",
            "CONSENT_RATE_LIMIT",
            "LOGIN_RATE_LIMIT",
        ),
    ),
)


@bp.route("/settings", methods=["GET", "POST"], endpoint="settings")
@role_required("admin")
def settings_page():
    """The settings, grouped; saving stores and audits what changed."""
    form = SettingsForm(data={key.lower(): value for key, value in runtime_settings.current().items()})
    if form.validate_on_submit():
        values = {s.key: form[s.key.lower()].data for s in runtime_settings.SETTINGS}
        changed = runtime_settings.change(values, current_user.email)
        if changed:
            audit.log("settings_change", details={key: list(pair) for key, pair in changed.items()})
            db.session.commit()
            flash(_("Settings saved. Every server applies them within a few seconds."), "success")
        else:
            flash(_("Nothing was changed."), "info")
        return redirect(url_for(".settings"), code=303)
    return render_template("staff/settings.html", form=form, groups=GROUPS)
