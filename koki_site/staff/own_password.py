"""/staff/password (any role): a staff member changes their own password."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koki_site.core import runtime_settings
from koki_site.core.auth import role_required
from koki_site.core.rate_limits import limiter
from koki_site.extensions import db
from koki_site.staff import accounts, bp, password_strength
from koki_site.staff.forms import PasswordForm
from koki_site.staff.password_hashes import verify_password
from koki_site.staff.views import log_in_afresh


@bp.route("/password", methods=["GET", "POST"], endpoint="password")
@role_required()
# Someone at an unattended browser must not be able to try current passwords at will either.
@limiter.limit(lambda: runtime_settings.get("LOGIN_RATE_LIMIT"), methods=["POST"])
def change_password():
    """The current password, then the new one twice; every other session of the account ends."""
    form = PasswordForm()
    if form.validate_on_submit() and new_password_is_acceptable(form):
        account = current_user._get_current_object()
        accounts.change_password(account, form.new_password.data)
        db.session.commit()
        log_in_afresh(account)  # this session goes on, under the account's new session version
        flash(_("Your password is changed. Your other sessions have ended."), "success")
        return redirect(url_for(".home"), code=303)
    return render_template("staff/password.html", form=form)


def new_password_is_acceptable(form):
    """Check the current password, then the new one; put what is wrong on its field."""
    if not verify_password(current_user, form.current_password.data):
        form.current_password.errors.append(_("This is not your current password."))
        return False
    if form.new_password.data == form.current_password.data:
        form.new_password.errors.append(_("The new password must differ from the current one."))
        return False
    weakness = password_strength.weakness(form.new_password.data, current_user.email)
    if weakness:
        form.new_password.errors.append(weakness)
        return False
    return True
