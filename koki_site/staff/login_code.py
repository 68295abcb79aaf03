"""The second step of a login (/staff/login/code, field `code`), and /staff/two-factor.

A login whose account needs a second factor stops after the password; its session holds only
who owes the code, for PENDING_FOR. An account that must use one and has none sets it up there,
once a link from its mailbox came with the password (links.py): the QR code and the secret, a
code to prove the app holds it, the recovery codes.
"""

import time
from datetime import UTC, datetime

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from koki_site.core import audit, runtime_settings
from koki_site.core.auth import role_required
from koki_site.core.rate_limits import limiter
from koki_site.extensions import db
from koki_site.staff import accounts, bp, device, lockout, two_factor
from koki_site.staff.forms import CodeForm
from koki_site.staff.models import StaffAccount
from koki_site.staff.views import PENDING, log_failure, start_session

PENDING_FOR = 300  # seconds to type the code after the password
SETUP_SECRET = "totp_setup"  # noqa: S105 (a session key) — holds the secret being set up, shown anyway


def pending_login():
    """(account, next path, whether a mailed link came with it) of the login owing its code, or None.

    Without a link from the mailbox, an account with no second factor yet is not let set one up.
    """
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_FOR:
        return None
    account = db.session.get(StaffAccount, pending.get("id", 0))
    if account is None or not account.enabled or account.session_version != pending.get("v"):
        return None
    mailbox = pending.get("mailbox") is True
    if not two_factor.enrolled(account) and not mailbox:
        return None
    return account, pending.get("next"), mailbox


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: runtime_settings.get("LOGIN_RATE_LIMIT"), methods=["POST"])
def login_code():
    """The code of the authenticator app, or a recovery code."""
    pending = pending_login()
    if pending is None:
        session.pop(PENDING, None)
        flash(_("Please log in again: the code is asked within five minutes of the password."), "info")
        return redirect(url_for(".login"), code=303)
    account, next_path, mailbox = pending
    if not two_factor.enrolled(account):
        return set_up(account, lambda codes: finish(account, next_path, codes))
    form, error = CodeForm(), None
    if form.validate_on_submit():
        now, address = datetime.now(UTC), request.remote_addr or ""
        before = lockout.attempt(account, address, now)
        # Under the same ceiling as the password: while it is crossed, only a known browser or a
        # login that came through the mailbox may try a code.
        under_attack = before.ceiling_crossed and not mailbox and device.known_account_id() != account.id
        if not (before.address_locked or under_attack) and two_factor.check(account, form.code.data):
            lockout.forget(account, address)
            return finish(account, next_path)
        lockout.record(account, address, now, before)
        log_failure(account, accounts.GUESSING if under_attack else "wrong code")
        db.session.commit()
        error = _(
            "This code is wrong or was already used. Type the code your app shows now, or a recovery code."
        )
    return render_template("staff/login_code.html", form=form, error=error)


def finish(account, next_path, codes=None):
    """Logged in; with new recovery codes, the page that shows them once comes first."""
    session.pop(PENDING, None)
    if codes is None:
        return start_session(account, next_path)
    page = render_template("staff/recovery_codes.html", codes=codes, next_path=next_path or url_for(".home"))
    return start_session(account, next_path, response=make_response(page))


def set_up(account, done):
    """The QR code and the secret, then a code from the app; done(recovery codes) once it matches."""
    secret = session.get(SETUP_SECRET) or two_factor.new_secret()
    session[SETUP_SECRET] = secret
    form, error = CodeForm(), None
    if form.validate_on_submit():
        codes = two_factor.enrol(account, secret, form.code.data)
        if codes:
            session.pop(SETUP_SECRET, None)
            return done(codes)
        error = _("This code does not match. Check that the app shows KOKI and type its current code.")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "staff/two_factor_setup.html",
        form=form,
        error=error,
        qr_code=two_factor.qr_code(account, secret),
        secret=grouped,
        required=two_factor.required(account),
    )


@bp.route("/two-factor", methods=["GET", "POST"], endpoint="two_factor")
@role_required()
def manage():
    """Turn the second factor on, or get new recovery codes (the current code proves it is you)."""
    account = current_user._get_current_object()
    if not two_factor.enrolled(account):
        return set_up(
            account, lambda codes: committed(render_template("staff/recovery_codes.html", codes=codes))
        )
    form, error = CodeForm(), None
    if form.validate_on_submit():
        if two_factor.check(account, form.code.data):
            codes = two_factor.new_recovery_codes(account)
            audit.log("recovery_codes_renewed", target=accounts.target(account))
            return committed(codes_page(codes))
        error = _("This code is not right or was already used.")
    return render_template(
        "staff/two_factor.html", form=form, error=error, unused=two_factor.unused_codes(account)
    )


def codes_page(codes):
    return render_template("staff/recovery_codes.html", codes=codes)


def committed(page):
    db.session.commit()
    return page
