"""POST /consent, and what every page shows of consent (the banner, the settings form)."""

from flask import abort, current_app, g, redirect, request, url_for
from sqlalchemy.exc import SQLAlchemyError

from koki_site.consent import bp, ledger
from koki_site.consent.forms import ConsentForm
from koki_site.core import consent_cookie, cookies, runtime_settings
from koki_site.core.rate_limits import limiter
from koki_site.core.security import is_same_origin, is_site_path
from koki_site.extensions import csrf, db


@bp.app_context_processor
def consent_context():
    """The banner until a valid decision; the current choices for the settings form."""
    decision = consent_cookie.current()
    return {
        "show_consent_banner": decision is None,
        "consent_decision": decision,
        "consent_gpc": consent_cookie.gpc_refusal(),
        "consent_purposes": consent_cookie.PURPOSES,
    }


@bp.after_app_request
def vary_on_consent(response):
    """A page that showed anything of consent differs by its cookie and by the GPC signal."""
    if "consent_decision" in g:
        response.vary.update(("Cookie", "Sec-GPC"))
    return response


@bp.post("/consent")
@csrf.exempt
@limiter.limit(lambda: runtime_settings.get("CONSENT_RATE_LIMIT"))
def decide():
    """Record a cookie decision: sign it in koki_consent, append it to the ledger, go back."""
    if not is_same_origin():
        abort(403)
    form = ConsentForm()
    if not form.validate():
        abort(400)
    previous = consent_cookie.current()
    decision = consent_cookie.decide(
        form.choice.data, form.ticked(), consent_id=previous.consent_id if previous else None
    )
    try:
        ledger.record(decision, form.lang.data, form.method)
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("consent ledger unavailable")
        abort(503)
    consent_cookie.decision_made.send(current_app._get_current_object(), decision=decision)
    response = redirect(safe_next(form.next.data, form.lang.data), code=303)
    consent_cookie.save(response, decision)
    for purpose, allowed in decision.choices.items():
        if not allowed:
            for cookie in cookies.for_purpose(purpose):
                if cookie.name in request.cookies:
                    cookies.expire_cookie(response, cookie)
    return response


def safe_next(target, lang):
    """target when it is a path of this site; else the home page of the visitor's language."""
    return target if is_site_path(target) else url_for("pages.home", lang_code=lang)
