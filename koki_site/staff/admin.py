"""/staff/accounts (admin): the staff accounts, their creation, roles, disabling and unlocking."""

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from koki_site import mail
from koki_site.core.auth import ROLES, role_required
from koki_site.extensions import db
from koki_site.staff import accounts, bp, links, lockout, two_factor
from koki_site.staff.forms import AccountForm, ActionForm, NameForm, RolesForm
from koki_site.staff.models import StaffAccount


@bp.route("/accounts", methods=["GET", "POST"], endpoint="accounts")
@role_required("admin")
def account_list():
    """Every staff account with its actions and recent failed logins, and the form to create one."""
    form = AccountForm()
    if form.validate_on_submit():
        account = accounts.create(form.email.data, form.roles.data, form.password.data, name=form.name.data)
        db.session.commit()
        flash(_("Account created for %(email)s.", email=account.email), "success")
        return redirect(url_for(".accounts"), code=303)
    listing = db.session.scalars(select(StaffAccount).order_by(StaffAccount.email)).all()
    failures = lockout.summary(datetime.now(UTC))
    return render_template(
        "staff/accounts.html",
        form=form,
        accounts=listing,
        failures=failures,
        under_attack=[
            account for account in listing if account.id in failures and failures[account.id].ceiling_crossed
        ],
        roles=ROLES,
    )


@bp.post("/accounts/<id:account_id>/roles")
@role_required("admin")
def change_roles(account_id):
    """Give an account another set of roles; an admin keeps their own admin role."""
    account = db.get_or_404(StaffAccount, account_id)
    form = RolesForm()
    if not form.validate_on_submit():
        flash(_("Choose at least one role."), "error")
    elif account.id == current_user.id and "admin" not in form.roles.data:
        # Otherwise the last administrator could leave the site without any.
        flash(_("You cannot remove your own administrator role."), "error")
    else:
        accounts.set_roles(account, form.roles.data)
        db.session.commit()
        flash(_("Roles of %(email)s changed.", email=account.email), "success")
    return redirect(url_for(".accounts"), code=303)


@bp.post("/accounts/<id:account_id>/name")
@role_required("admin")
def change_name(account_id):
    """The name that signs the account's replies; empty, the address does."""
    account = db.get_or_404(StaffAccount, account_id)
    form = NameForm()
    if not form.validate_on_submit():
        flash(_("Write the name on one line, in at most 100 characters."), "error")
    else:
        accounts.rename(account, form.name.data)
        db.session.commit()
        flash(_("Name of %(email)s changed.", email=account.email), "success")
    return redirect(url_for(".accounts"), code=303)


@bp.post("/accounts/<id:account_id>/<any(disable, enable, unlock, reset_two_factor):action>")
@role_required("admin")
def account_action(account_id, action):
    """Disable, enable, unlock an account or reset its second factor; an admin cannot disable themselves."""
    account = db.get_or_404(StaffAccount, account_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if action == "disable" and account.id == current_user.id:
        flash(_("You cannot disable your own account."), "error")
        return redirect(url_for(".accounts"), code=303)
    if action == "unlock":
        accounts.unlock(account)
        message = _("%(email)s is unlocked.", email=account.email)
    elif action == "reset_two_factor":
        two_factor.reset(account)
        message = _(
            "The second factor of %(email)s is reset: it is set up again at the next login.",
            email=account.email,
        )
        if two_factor.required(account):
            links.mail_link(account, links.ENROL, actor=current_user.email)
            message = _(
                "The second factor of %(email)s is reset: a link to set it up again was mailed to them.",
                email=account.email,
            )
    else:
        accounts.set_enabled(account, action == "enable")
        message = (
            _("%(email)s is enabled.", email=account.email)
            if action == "enable"
            else _("%(email)s is disabled: it can no longer log in.", email=account.email)
        )
    db.session.commit()
    mail.deliver_queued()  # the setup link of a reset, if any
    flash(message, "success")
    return redirect(url_for(".accounts"), code=303)
