"""The pages of the mailed links (links.py): /staff/login/link/<token> and /staff/enrol/<token>.

Opening a link shows a button; only its POST uses the link, so a mail scanner that fetches every
link of a mail spends none.
"""

import time

from flask import flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from koki_site.core import runtime_settings
from koki_site.core.rate_limits import limiter
from koki_site.extensions import db
from koki_site.staff import bp, links
from koki_site.staff.forms import ActionForm
from koki_site.staff.views import ENROLMENT, password_accepted


def link_page(token, purpose, used):
    """The button of a valid link; its POST spends the link and returns used(account)."""
    account = links.account_of(token, purpose)
    if account is None:
        return render_template("staff/link.html", purpose=purpose, form=None), 400
    form = ActionForm()
    if form.validate_on_submit():
        links.use(account)
        db.session.commit()  # spent now, whatever follows (the code step starts afresh)
        return used(account)
    return render_template("staff/link.html", purpose=purpose, form=form)


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: runtime_settings.get("LOGIN_RATE_LIMIT"), methods=["POST"])
def login_link(token):
    """Finish a login that gave the right password while the account was under attack."""
    return link_page(token, links.LOGIN, lambda account: password_accepted(account, None, mailbox=True))


@bp.route("/enrol/<token>", methods=["GET", "POST"])
@limiter.limit(lambda: runtime_settings.get("LOGIN_RATE_LIMIT"), methods=["POST"])
def enrol_link(token):
    """Let this browser set up the account's second factor at its next login with the password."""

    def granted(account):
        session[ENROLMENT] = {"id": account.id, "v": account.session_version, "at": int(time.time())}
        flash(_("Now log in with your password to set up your second factor."), "info")
        return redirect(url_for(".login"), code=303)

    return link_page(token, links.ENROL, granted)
