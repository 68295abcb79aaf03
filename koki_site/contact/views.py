"""The public contact form and its confirmation."""

import re

from flask import abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from koki_site import mail
from koki_site.contact import bp, mails, records
from koki_site.contact.forms import TOPIC_LABELS, ContactForm
from koki_site.core import consent_cookie, cookies, errors, register, runtime_settings, security, submissions
from koki_site.core.rate_limits import limiter
from koki_site.extensions import csrf, db

REFERENCE = re.compile(r"KOKI-\d{4}-\d{5,}")
KEPT_REFERENCES = 20


@bp.route("/contact", methods=["GET", "POST"])
# The form checks its own CSRF token (FlaskForm), so that a missing or expired one shows the form
# again with the visitor's text, instead of the global check's bare 400 page.
@csrf.exempt
@limiter.limit(lambda: runtime_settings.get("CONTACT_RATE_LIMIT"), methods=["POST"])
def form():
    """The contact form with the GDPR Art. 13 notice beside it; prefilled when the visitor allows it."""
    prefs = consent_cookie.load_signed(cookies.PREFERENCES)
    form = ContactForm(data=prefs)
    if request.method != "POST":  # GET, and HEAD like it
        if prefs:
            security.shows_visitor_data()
        form.show_phone_as_typed()
        if request.args.get("topic") in TOPIC_LABELS:  # /contact?topic=demo: "ask for a demo" links
            form.topic.data = request.args["topic"]
        return render_form(form)
    if not form.validate_on_submit():
        return render_form(form), 400
    if form.is_bot():
        return redirect(sent_url(form, None), 303)  # as if sent: nothing stored, nothing to learn
    try:
        answer, reference = submissions.store_once("contact", form.submission.data, lambda: store(form))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("contact message not stored")
        return render_form(form, unavailable=True), 503
    mail.deliver_queued()
    response = redirect(answer, 303)
    consent_cookie.save_signed(response, cookies.PREFERENCES, form.identity())
    kept = consent_cookie.load_signed(cookies.REQUESTS) or []
    if reference not in kept:
        consent_cookie.save_signed(response, cookies.REQUESTS, [*kept, reference][-KEPT_REFERENCES:])
    return response


def store(form):
    """The message and its notification to support; the answer and the reference to give."""
    message = records.store(form, g.lang_code)
    mails.notify_support(message)
    return sent_url(form, message.reference), message.reference


def sent_url(form, reference):
    """The confirmation: its own fragment, or the browser keeps the form's #error-summary."""
    topic = "demo" if form.asks_for_demo() else None
    return url_for(".sent", reference=reference, topic=topic, _anchor="main")


def render_form(form, unavailable=False, too_many=False):
    if form.asks_for_demo():
        form.message.label.text = _("Your message (optional)")
    return render_template(
        "contact/form.html",
        form=form,
        demo=form.asks_for_demo(),
        processing=register.get(records.PROCESSING),
        unavailable=unavailable,
        too_many=too_many,
        session_expired="csrf_token" in form.errors,
    )


@bp.errorhandler(429)
def too_many_messages(error):
    """Over the rate limit: the form again with what was typed, rather than a page that loses it."""
    if request.endpoint != "contact.form":
        return errors.render_error(error)
    return render_form(ContactForm(), too_many=True), 429


@bp.get("/contact/sent", defaults={"reference": None})
@bp.get("/contact/sent/<reference>")
def sent(reference):
    """The confirmation, with the reference to quote."""
    if reference is not None and not REFERENCE.fullmatch(reference):
        abort(404)
    tracking = consent_cookie.allows("requests")
    security.shows_visitor_data()  # the reference of the visitor's message
    demo = request.args.get("topic") == "demo"
    return render_template("contact/sent.html", reference=reference, tracking=tracking, demo=demo)
