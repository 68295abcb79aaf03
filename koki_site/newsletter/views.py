"""Subscribe, confirm (GET shows a button, POST confirms), unsubscribe (also RFC 8058 one-click)."""

from flask import current_app, g, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from koki_site import mail
from koki_site.backups import ledger as backup_ledger
from koki_site.core import consent_cookie, cookies, errors, register, runtime_settings, security, submissions
from koki_site.core.rate_limits import limiter
from koki_site.extensions import csrf, db
from koki_site.newsletter import bp, records, tokens
from koki_site.newsletter.forms import SubscribeForm


@bp.route("/newsletter", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token, so that an expired one keeps the address typed
@limiter.limit(lambda: runtime_settings.get("NEWSLETTER_RATE_LIMIT"), methods=["POST"])
def subscribe():
    """The form says what the visitor consents to; the same answer for a known or a new address."""
    prefs = consent_cookie.load_signed(cookies.PREFERENCES) or {}
    form = SubscribeForm(data={"email": prefs.get("email")})
    if request.method != "POST":  # GET, and HEAD like it
        if prefs.get("email"):
            security.shows_visitor_data()
        return render_form(form)
    if not form.validate_on_submit():
        return render_form(form), 400
    try:
        submissions.store_once("newsletter", form.submission.data, lambda: subscribe_once(form))
    except IntegrityError:  # the same address, subscribed at the same moment elsewhere
        db.session.rollback()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("subscription not stored")
        return render_form(form, unavailable=True), 503
    mail.deliver_queued()
    response = redirect(url_for(".check_your_mail", _anchor="main"), 303)
    consent_cookie.save_signed(response, cookies.PREFERENCES, {**prefs, "email": form.email.data})
    return response


def subscribe_once(form):
    records.subscribe(form.email.data, g.lang_code, source=request.path)
    return url_for(".check_your_mail", _anchor="main"), None


def render_form(form, unavailable=False, too_many=False):
    return render_template(
        "newsletter/form.html",
        form=form,
        newsletter_processing=register.get("newsletter"),
        unavailable=unavailable,
        too_many=too_many,
        session_expired="csrf_token" in form.errors,
    )


@bp.errorhandler(429)
def too_many_subscriptions(error):
    """Over the rate limit: the form again with the address typed, rather than a page that loses it."""
    if request.endpoint != "newsletter.subscribe":
        return errors.render_error(error)
    return render_form(SubscribeForm(), too_many=True), 429


@bp.get("/newsletter/check-your-mail")
def check_your_mail():
    """What comes next: the confirmation mail."""
    return render_template("newsletter/check_your_mail.html")


@bp.route("/newsletter/confirm/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof, and the page must set no cookie
def confirm(token):
    """GET: a button (mail scanners follow links); POST: the subscription is confirmed."""
    subscription = records.find_by_token(token, tokens.CONFIRM_SALT, max_age=tokens.CONFIRM_MAX_AGE)
    if subscription is None or subscription.status == "unsubscribed":
        return render_template("newsletter/bad_link.html"), 400
    if request.method != "POST":  # GET, and HEAD like it
        return render_template("newsletter/confirm.html", confirmed=subscription.status == "confirmed")
    records.confirm(subscription)
    db.session.commit()
    return render_template("newsletter/confirm.html", confirmed=True)


@bp.route("/newsletter/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof: a mail client's one-click POST carries nothing else
def unsubscribe(token):
    """GET: a button; POST (the button, or RFC 8058 one-click): unsubscribed, address forgotten."""
    subscription = records.find_by_token(token, tokens.UNSUBSCRIBE_SALT)
    if subscription is None:
        return render_template("newsletter/bad_link.html"), 400
    if request.method != "POST":  # GET, and HEAD like it
        return render_template("newsletter/unsubscribe.html", done=subscription.status == "unsubscribed")
    if subscription.email:  # a restored backup unsubscribes it again
        backup_ledger.record("withdraw", subscription.email)
    records.unsubscribe(subscription)
    db.session.commit()
    return render_template("newsletter/unsubscribe.html", done=True)
