"""The staff blueprint: login, logout, the idle timeout, the home page.

The other staff pages are in their own modules on the same blueprint (see the package).
"""

import time
from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from koki_site import mail
from koki_site.core import audit, go_live, jobs, runtime_settings, staff_tasks
from koki_site.core.auth import role_required
from koki_site.core.rate_limits import limiter
from koki_site.core.security import is_site_path
from koki_site.extensions import db
from koki_site.staff import accounts, bp, device, links, navigation, two_factor
from koki_site.staff.forms import LoginForm, LogoutForm

bp.add_app_template_global(navigation.staff_nav)

PENDING = "pending_login"  # in the session: who gave the right password and owes the code
ENROLMENT = "enrolment_link"  # in the session: this browser opened that account's enrolment link
LAST_SEEN = "staff_seen"  # in the session: when this staff member last made a request (epoch seconds)


def is_staff_request():
    return request.path == bp.url_prefix or request.path.startswith(bp.url_prefix + "/")


@bp.before_app_request
def enforce_idle_timeout():
    """Log out a staff member idle longer than STAFF_IDLE_MINUTES; else note the time of this request.

    Any page under /staff counts, whichever blueprint serves it; a public page does not (it is
    not staff work, and public pages must not set cookies).
    """
    if not is_staff_request() or not current_user.is_authenticated:
        return None
    now = int(time.time())
    minutes = runtime_settings.get("STAFF_IDLE_MINUTES")
    seen = session.get(LAST_SEEN)
    if not isinstance(seen, int) or now - seen <= minutes * 60:
        session[LAST_SEEN] = now  # login sets it; a session without one starts counting now
        return None
    audit.log("logout", target=accounts.target(current_user), details={"reason": "idle"})
    db.session.commit()
    end_session()
    flash(_("You were logged out after %(minutes)d minutes without activity.", minutes=minutes), "info")
    # Back to the page after logging in again, unless it was a form: that one is to be filled again.
    target = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else None
    return redirect(url_for("staff.login", next=target))


@bp.after_app_request
def no_store(response):
    """Staff pages hold personal data: no cache keeps them, no search engine lists them."""
    if is_staff_request():
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def safe_next(target):
    """target when it is a path of this site, else None (no open redirect)."""
    return target if is_site_path(target) else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: runtime_settings.get("LOGIN_RATE_LIMIT"), methods=["POST"])
def login():
    """The login form; one message for every failure, so it never tells which accounts exist."""
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for(".home"))
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        account, failure = accounts.authenticate(
            form.email.data, form.password.data, request.remote_addr or "", device.known_account_id()
        )
        if failure in (accounts.MAIL_LINK, accounts.GUESSING):
            return finish_from_the_mailbox(account, failure)
        if failure is None:
            return password_accepted(account, next_path)
        log_failure(account, failure)
        db.session.commit()
        # Unknown, wrong, locked or disabled: the same words, so they tell nothing of the account.
        error = _("Wrong email or password, or too many attempts. Check what you typed, or try again later.")
    return render_template("staff/login.html", form=form, error=error, next_path=next_path)


def finish_from_the_mailbox(account, outcome):
    """Under a guessing attack, from an unknown browser: the right password gets a login link
    mailed to the account, a wrong one a refusal; both the same page."""
    if outcome == accounts.MAIL_LINK:
        links.mail_link(account, links.LOGIN)
    else:
        log_failure(account, outcome)
    db.session.commit()
    mail.deliver_queued()
    return render_template("staff/link_sent.html", purpose=links.LOGIN, minutes=links.LOGIN_LINK_MINUTES)


def password_accepted(account, next_path, mailbox=False):
    """The right password (and, when mailbox, a link from the account's mailbox): what comes next.

    An account that must set up a second factor gets an enrolment link mailed instead, unless
    this browser just opened one: the password alone reaches no setup page.
    """
    mailbox = mailbox or enrolment_granted(account)
    if two_factor.required(account) and not two_factor.enrolled(account) and not mailbox:
        db.session.rollback()  # not logged in: nothing of this login is kept
        links.mail_link(account, links.ENROL)
        db.session.commit()
        mail.deliver_queued()
        return render_template("staff/link_sent.html", purpose=links.ENROL)
    if two_factor.required(account) or two_factor.enrolled(account):
        db.session.rollback()  # not logged in until the code: nothing of this login is kept yet
        return ask_for_second_factor(account, next_path, mailbox)
    return start_session(account, next_path)


def enrolment_granted(account):
    """Whether this browser opened the account's enrolment link within the last LOGIN_LINK_MINUTES."""
    grant = session.get(ENROLMENT)
    return (
        isinstance(grant, dict)
        and grant.get("id") == account.id
        and grant.get("v") == account.session_version
        and time.time() - grant.get("at", 0) <= links.LOGIN_LINK_MINUTES * 60
    )


def log_failure(account, failure):
    if account is None:
        # Not what was typed: it may be anyone's address, or a password typed in the wrong field.
        audit.log("login_failed", details={"reason": failure}, actor="unknown")
    else:
        audit.log(
            "login_failed", target=accounts.target(account), details={"reason": failure}, actor=account.email
        )


def start_session(account, next_path, response=None):
    """Logged in: audited, a new session, this browser remembered; then next_path (or response)."""
    account.last_login_at = datetime.now(UTC)
    entry = audit.log("login", target=accounts.target(account), actor=account.email)
    entry.actor_id = account.id
    db.session.commit()
    log_in_afresh(account)
    response = response or redirect(next_path or url_for(".home"), code=303)
    device.remember(response, account)
    return response


def ask_for_second_factor(account, next_path, mailbox=False):
    """The password was right: the code comes next, on its own page (field `code`).

    mailbox: a link from the account's mailbox came with it, which lets the account set up its
    second factor, and type a code while its ceiling of failed logins is crossed.
    """
    session.clear()
    session[PENDING] = {
        "id": account.id,
        "v": account.session_version,
        "at": int(time.time()),
        "next": next_path,
        "mailbox": mailbox,
    }
    return redirect(url_for(".login_code"), code=303)


def log_in_afresh(account):
    """A new session: nothing from before (a planted or shared session) carries over."""
    session.clear()
    login_user(account)
    session[LAST_SEEN] = int(time.time())


def end_session():
    """Log out; the account's session version moves on, so a copied cookie is worth nothing."""
    current_user.end_sessions()
    db.session.commit()
    logout_user()
    session.clear()


@bp.post("/logout")
@role_required()
def logout():
    """Log out (POST only, with the CSRF token) and go back to the login page."""
    if not LogoutForm().validate_on_submit():
        return redirect(url_for(".home"), code=303)
    audit.log("logout", target=accounts.target(current_user))
    db.session.commit()
    end_session()
    flash(_("You are logged out."), "info")
    return redirect(url_for(".login"), code=303)


@bp.get("/")
@role_required()
def home():
    """The back office's home page: what needs doing now for one's roles, then a link to each page."""
    pages = [page for page in navigation.staff_nav() if page.path != "/staff/"]
    # Admins see that the worker keeps the policy's promises: when each job last ran, and if late.
    admin = "admin" in current_user.roles
    job_states = jobs.states(datetime.now(UTC)) if admin else []
    # And what is not ready to go live, as `flask check --deploy` says it, but for the SMTP probe:
    # the page never waits on a mail server.
    go_live_findings = go_live.findings(probe_mail=False) if admin else None
    tasks = staff_tasks.for_roles(current_user.roles)
    return render_template(
        "staff/home.html", pages=pages, job_states=job_states, tasks=tasks, go_live=go_live_findings
    )
