"""What the audit log says of the staff's own actions: logins, logouts, account changes."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from koki_site.core import audit
from koki_site.extensions import db
from koki_site.staff.models import StaffAccount

ACTIONS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logged out"),
    "account_change": _l("Staff account changed"),
    "login_ceiling": _l("Many failed logins to one account"),
    "login_link_sent": _l("Login link mailed"),
    "enrol_link_sent": _l("Second-factor setup link sent"),
}
REASONS = {
    "unknown account": _l("unknown account"),
    "wrong password": _l("wrong password"),
    "account disabled": _l("account disabled"),
    "address locked": _l("address locked out after failures"),
    "unknown device during a guessing attack": _l("unknown browser while the account was under attack"),
    "idle": _l("inactive too long"),
}
CHANGES = {
    "create": _l("created"),
    "roles": _l("roles changed"),
    "enable": _l("enabled"),
    "disable": _l("disabled"),
    "unlock": _l("unlocked"),
    "password": _l("password changed"),
    "name": _l("name changed"),
}
DETAILS = {
    "failures": _l("failures"),
    "addresses": _l("addresses"),
    "roles": _l("roles"),
    "before": _l("before"),
}


def account_email(value):
    """ "staff:3" names account 3: its address, as an admin reads it."""
    if not value.isdigit():
        return value
    return db.session.scalar(select(StaffAccount.email).where(StaffAccount.id == int(value))) or value


def explain_reason(details):
    reason = details.get("reason")
    return [(_("reason"), str(REASONS.get(reason, reason)))] if reason else []


def explain_change(details):
    shown = [(_("change"), str(CHANGES.get(details.get("change"), details.get("change"))))]
    for key in ("before", "roles"):
        if key in details:
            shown.append((str(DETAILS[key]), audit.plain(details[key])))
    return shown


# What the audit log calls this capability's actions, targets and details (core/capabilities.py).
AUDIT_WORDS = {
    "actions": ACTIONS,
    "targets": {"staff": audit.TargetKind(_l("Staff account"), name=account_email)},
    "details": DETAILS,
    "explain": {"login_failed": explain_reason, "logout": explain_reason, "account_change": explain_change},
}
