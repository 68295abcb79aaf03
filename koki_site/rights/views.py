"""The visitor's side of the rights: ask, prove the address by mail, then see or act."""

import json

from flask import Response, current_app, g, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from wtforms.fields.choices import SelectChoice

from koki_site import mail
from koki_site.core import consent_cookie, cookies, errors, register, runtime_settings, security, submissions
from koki_site.core.rate_limits import limiter
from koki_site.extensions import csrf, db
from koki_site.rights import bp, plain_words, records, verifying_browser
from koki_site.rights.forms import DirectivesForm, RectificationForm, RightsRequestForm

KEPT_REFERENCES = 20
SHOWING = ("access", "portability")  # rights answered by showing the data
LISTING = (*SHOWING, "erasure", "restriction", "objection")  # rights whose page lists what is held
ACTIONS = {  # the button's action, and the rights it belongs to
    "erase": ("erasure",),
    "restrict": ("restriction", "objection"),
    "rectify": ("rectification",),
    "withdraw": ("withdraw_consent",),
    "record": ("post_mortem",),
}


@bp.route("/rights", methods=["GET", "POST"], endpoint="request")
@csrf.exempt  # the form checks its own token, so that an expired one keeps what was typed
@limiter.limit(lambda: runtime_settings.get("RIGHTS_RATE_LIMIT"), methods=["POST"])
def request_form():
    """Choose a right, give the address; the same answer whether anything is held, mailed or not."""
    form = request_form_offering_rights()
    if request.method != "POST":  # GET, and HEAD like it
        return render_form(form)
    if not form.validate_on_submit():
        return render_form(form), 400
    try:
        answer, reference = submissions.store_once("rights", form.submission.data, lambda: create(form))
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("rights request not stored")
        return render_form(form, unavailable=True), 503
    mail.deliver_queued()
    response = redirect(answer, 303)
    # Held back by the per-address limits, the request adds no reference; the cookie is still set.
    kept = consent_cookie.load_signed(cookies.REQUESTS) or []
    added = [reference] if reference and reference not in kept else []
    consent_cookie.save_signed(response, cookies.REQUESTS, [*kept, *added][-KEPT_REFERENCES:])
    return response


def create(form):
    """The request and its verification mail (unless held back); the answer and the reference."""
    rights_request = records.create(form, g.lang_code)
    return url_for(".sent", _anchor="main"), rights_request.reference if rights_request else None


def request_form_offering_rights():
    form = RightsRequestForm()
    form.right.choices = [
        SelectChoice(key, register.RIGHTS[key][0]) for key in register.offered_rights(current_app)
    ]
    return form


def render_form(form, unavailable=False, too_many=False):
    return render_template(
        "rights/form.html",
        form=form,
        rights=register.RIGHTS,
        processing=register.get(records.PROCESSING),
        unavailable=unavailable,
        too_many=too_many,
        session_expired="csrf_token" in form.errors,
    )


@bp.errorhandler(429)
def too_many_requests(error):
    """Over the rate limit: the form again with what was typed, rather than a page that loses it."""
    if request.endpoint != "rights.request":
        return errors.render_error(error)
    return render_form(request_form_offering_rights(), too_many=True), 429


@bp.get("/rights/sent")
def sent():
    """What comes next: the mail with the link."""
    return render_template("rights/sent.html")


@bp.route("/rights/verify/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed link is the proof of the address
def verify(token):
    """GET: a button (mail scanners follow links); POST: verified, then the right's page and its action.

    The browser that verifies the request holds it for VERIFIED_FOR; anyone else who gets the link
    (a forwarded mail, a shared mailbox) sees nothing.
    """
    security.shows_visitor_data()
    rights_request = records.by_token(token)
    if rights_request is None:
        return render_template("rights/bad_link.html"), 400
    if request.method != "POST" and rights_request.verified_at is None:
        return render_template("rights/verify.html", rights_request=rights_request, rights=register.RIGHTS)
    if request.method == "POST" and rights_request.verified_at is None:
        verifying_browser.bind(rights_request)
    elif not verifying_browser.holds(rights_request):
        return render_template("rights/link_used.html"), 403
    details = (
        plain_words.current_details(rights_request.email) if rights_request.right == "rectification" else {}
    )
    forms = {"rectify": RectificationForm.showing(details), "record": DirectivesForm()}
    status = 200
    if request.method == "POST":
        records.verify(rights_request)
        action = request.form.get("action", "verify")
        if rights_request.status == "open" and rights_request.right in ACTIONS.get(action, ()):
            status = act(rights_request, action, forms.get(action), details)
        db.session.commit()
    held = records.everything_held(rights_request.email) if rights_request.right in LISTING else []
    if rights_request.right in SHOWING and rights_request.status == "open":
        records.finish(rights_request, rights_request.right, {"shown": {p.key: len(r) for p, r in held}})
        db.session.commit()
        held = records.everything_held(rights_request.email)  # this request shown as answered, too
    if rights_request.right == "rectification" and rights_request.status == "done":
        details = plain_words.current_details(rights_request.email)  # as they are now
    outcome = json.loads(rights_request.outcome or "{}")
    page = render_template(
        "rights/verified.html",
        rights=register.RIGHTS,
        heading=plain_words.HEADINGS[rights_request.right],
        rights_request=rights_request,
        token=token,
        held=plain_words.shown(held),
        details=details,
        erased=plain_words.erased(outcome.get("removed", {})),
        outcome=outcome,
        forms=forms,
    )
    return page, status


def act(rights_request, action, form, details):
    """Carry out the right's action after the visitor's final confirmation; an HTTP status."""
    if action == "erase":
        records.erase(rights_request)
    elif action == "restrict":
        restricted = {"restricted": records.carry_out(rights_request, "restrict", True)}
        if rights_request.right == "objection":
            records.hold_for_examination(rights_request, restricted)
        else:
            records.finish(rights_request, "restriction", restricted)
    elif action == "withdraw":
        records.finish(
            rights_request, "withdrawal", {"withdrawn": records.carry_out(rights_request, "withdraw")}
        )
    elif action == "rectify" and not details:
        return 200  # nothing held that the form could change: the page says so
    elif not form.validate_on_submit():
        return 400
    elif action == "rectify":
        wanted = form.details()
        changed = sorted(name for name in wanted if wanted[name] != details.get(name, ""))
        counts = records.carry_out(rights_request, "rectify", wanted)
        records.finish(rights_request, "rectification", {"changed": changed, "records": counts})
    else:  # record: directives after death, for the DPO, who answers them
        rights_request.outcome = json.dumps(
            {"designated_person": form.designated_person.data, "directives": form.directives.data}
        )
        records.log(rights_request, "rights_directives")
    return 200


@bp.get("/rights/verify/<token>/data.json")
def download(token):
    """Everything held for the verified address, as JSON (access and portability)."""
    security.shows_visitor_data()
    rights_request = records.by_token(token)
    if rights_request is None or rights_request.verified_at is None or rights_request.right not in SHOWING:
        return render_template("rights/bad_link.html"), 400
    if not verifying_browser.holds(rights_request):
        return render_template("rights/link_used.html"), 403
    body = json.dumps(records.data_download(rights_request), ensure_ascii=False, indent=2)
    filename = f"{rights_request.reference}.json"
    return Response(
        body, mimetype="application/json", headers={"Content-Disposition": f"attachment; filename={filename}"}
    )
