"""One-time links to a staff account's own mailbox: what it takes, besides the password, when the
password is not enough.

A login link finishes a login that gave the right password from a browser the site does not know,
while the account's ceiling of failed logins is crossed (lockout.py): the guesser, who has no
access to the mailbox, gets nowhere, and the person logs in from a new laptop all the same. An
enrolment link lets an account that must use a second factor set it up, so that whoever first
types its password cannot. Each link carries the account's link_nonce: a new link replaces the
last, and using one clears it, so a link works once.
"""

import hmac
import secrets

from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer

from koki_site import mail
from koki_site.core import audit
from koki_site.core.site_url import external_url
from koki_site.extensions import db
from koki_site.staff.models import StaffAccount

LOGIN, ENROL = "login", "enrol"
LOGIN_LINK_MINUTES = 15
ENDPOINTS = {LOGIN: "staff.login_link", ENROL: "staff.enrol_link"}


def max_age(purpose):
    """Seconds a link of purpose is valid."""
    if purpose == LOGIN:
        return LOGIN_LINK_MINUTES * 60
    return current_app.config["STAFF_ENROL_LINK_HOURS"] * 3600


def serializer(purpose):
    return URLSafeTimedSerializer(current_app.secret_key, salt=f"staff-{purpose}-link")


def new_link(account, purpose):
    """The absolute URL (from SITE_URL) of a new link of purpose; the account's earlier one stops working."""
    account.link_nonce = secrets.token_urlsafe(16)
    token = serializer(purpose).dumps({"a": account.id, "n": account.link_nonce})
    return external_url(ENDPOINTS[purpose], token=token)


def account_of(token, purpose):
    """The enabled account whose valid, unused link of purpose this is, or None."""
    try:
        value = serializer(purpose).loads(token, max_age=max_age(purpose))
    except BadSignature:  # forged, mangled or expired (SignatureExpired is one)
        return None
    if not (isinstance(value, dict) and isinstance(value.get("a"), int) and isinstance(value.get("n"), str)):
        return None
    account = db.session.get(StaffAccount, value["a"])
    if account is None or not account.enabled or account.link_nonce is None:
        return None
    return account if hmac.compare_digest(account.link_nonce, value["n"]) else None


def use(account):
    """The link is spent: no copy of it works again."""
    account.link_nonce = None


def mail_link(account, purpose, actor=None):
    """Queue a new link of purpose to the account's own address, in the current language; audited."""
    link = new_link(account, purpose)
    if purpose == LOGIN:
        subject = _("Your link to finish logging in")
        text = render_template("email/staff_login_link.txt", link=link, minutes=LOGIN_LINK_MINUTES)
    else:
        subject = _("Your link to set up your second factor")
        text = render_template(
            "email/staff_enrol_link.txt", link=link, hours=current_app.config["STAFF_ENROL_LINK_HOURS"]
        )
    mail.queue(account.email, subject, text, ref=f"staff_{purpose}_link:{account.id}")
    audit.log(f"{purpose}_link_sent", target=f"staff:{account.id}", actor=actor or account.email)
