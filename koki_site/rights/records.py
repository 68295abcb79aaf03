"""Rights requests: recording, verifying, carrying out each right through the register; purge."""

import json
from datetime import UTC, datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale, gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, select

from koki_site import mail
from koki_site.backups import ledger as backup_ledger
from koki_site.core import addresses, audit, formats, register
from koki_site.core.batches import count_where, delete_in_batches
from koki_site.core.periods import Period
from koki_site.core.site_url import external_url
from koki_site.extensions import db
from koki_site.rights import limits
from koki_site.rights.deadlines import deadline_after
from koki_site.rights.models import RightsRequest

SALT = "koki-rights-verify"
LINK_MAX_AGE = 24 * 3600  # the link proves the address for 24 hours
PROCESSING = "rights"


def create(form, lang):
    """Add the request (awaiting verification) and queue the mail with its link.

    None when the address has had its share of mails: nothing is stored or sent (limits.py).
    """
    now = datetime.now(UTC)
    limits.hold(form.email.data)
    if not limits.may_mail(form.email.data, form.right.data, now):
        current_app.logger.info("rights request not stored: its address has had its share of mails")
        return None
    request = RightsRequest(
        email=form.email.data,
        right=form.right.data,
        details=form.details.data or "",
        language=lang,
        received_at=now,
    )
    db.session.add(request)
    db.session.flush()
    request.reference = f"KOKI-R-{now.year}-{request.id:05d}"
    link = external_url("rights.verify", lang_code=lang, token=token_of(request))
    right_label = register.RIGHTS[request.right][0]
    with force_locale(lang):
        subject = gettext("Confirm your request %(reference)s", reference=request.reference)
        text = render_template("email/rights_verify.txt", request=request, link=link, right=right_label)
    mail.queue(request.email, subject, text, ref=f"rights_request:{request.id}", lang=lang)
    return request


def token_of(request):
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT).dumps({"id": request.id})


def by_token(token):
    """The request of a valid, unexpired link, else None."""
    try:
        payload = URLSafeTimedSerializer(current_app.secret_key, salt=SALT).loads(token, max_age=LINK_MAX_AGE)
    except BadData:
        return None
    request_id = payload.get("id") if isinstance(payload, dict) else None
    return db.session.get(RightsRequest, request_id) if isinstance(request_id, int) else None


def verify(request):
    if request.verified_at is None:
        request.verified_at = datetime.now(UTC)
        request.status = "open"
        request.deadline = deadline_after(request.verified_at)
        log(request, "rights_verified")


def everything_held(email):
    """[(processing, records)] of every processing that holds something for this address."""
    held = []
    for processing, handlers in register.handlers_of(current_app):
        if handlers.find and (records := handlers.find(email)):
            held.append((processing, records))
    return held


def data_download(request):
    """The access and portability file: a stable structure, documented in docs/privacy.md."""
    return {
        "format": "koki-site/personal-data/1",
        "generated_at": datetime.now(UTC).isoformat(),
        "email": request.email,
        "controller": current_app.config["COMPANY_NAME"],
        "processings": [
            {"processing": p.key, "legal_basis": p.legal_basis, "records": records}
            for p, records in everything_held(request.email)
        ],
    }


def carry_out(request, handler_name, *args):
    """Call one handler of every processing for the request's address; {kind: count}.

    Recorded in the backups' ledger too, so that restoring an older backup does it again.
    """
    backup_ledger.record(handler_name, request.email, *args)
    return register.carry_out(current_app, handler_name, request.email, *args)


def finish(request, action, outcome):
    request.status = "done"
    request.answered_at = datetime.now(UTC)
    request.outcome = json.dumps(outcome, sort_keys=True)
    log(request, f"rights_{action}", outcome)


def hold_for_examination(request, outcome):
    """An objection: its records restricted at once, the decision left to the DPO by the deadline."""
    request.status = "to_examine"
    request.outcome = json.dumps(outcome, sort_keys=True)
    log(request, "rights_objection", outcome)


def erase(request):
    removed = carry_out(request, "erase")
    finish(request, "erasure", {"removed": removed, "kept": ["rights request"]})
    return removed


def log(request, action, details=None):
    audit.log(action, target=f"rights:{request.reference}", details=details, actor="visitor")


def find(email):
    """Earlier rights requests of this address (access shows them too)."""
    requests = db.session.scalars(
        select(RightsRequest).where(addresses.same(RightsRequest.email, email)).order_by(RightsRequest.id)
    )
    return [
        {
            "kind": "rights_request",
            "reference": r.reference,
            "fields": {
                "right": r.right,
                "status": r.status,
                "received_at": r.received_at.isoformat(),
                "verified_at": r.verified_at.isoformat() if r.verified_at else None,
                "answered_at": r.answered_at.isoformat() if r.answered_at else None,
            },
        }
        for r in requests
    ]


STATUS_LABELS = {
    "awaiting_verification": lazy_pgettext("request status", "Awaiting your confirmation"),
    "open": lazy_pgettext("request status", "In progress"),
    "to_examine": lazy_pgettext("request status", "Being examined by our Data Protection Officer"),
    "extended": lazy_pgettext("request status", "In progress"),
    "done": lazy_pgettext("request status", "Answered"),
    "refused": lazy_pgettext("request status", "Answered"),
}


def present(record):
    """One rights request as its author reads it: (label, text) rows, plain words."""
    fields = record["fields"]

    def moment(name):
        return formats.format_moment(fields[name]) if fields[name] else gettext("not yet")

    return [
        (_l("Reference"), record["reference"]),
        (_l("Right"), register.RIGHTS[fields["right"]][0]),
        (_l("Status"), STATUS_LABELS[fields["status"]]),
        (lazy_pgettext("record field", "Received"), moment("received_at")),
        (lazy_pgettext("record field", "Address confirmed"), moment("verified_at")),
        (lazy_pgettext("record field", "Answered"), moment("answered_at")),
    ]


def track(references):
    found = db.session.scalars(select(RightsRequest).where(RightsRequest.reference.in_(references))).all()
    return [
        {"reference": r.reference, "received_at": r.received_at, "status": STATUS_LABELS[r.status]}
        for r in found
    ]


def expired(as_of):
    unverified_cutoff = as_of - timedelta(days=current_app.config["RIGHTS_UNVERIFIED_DAYS"])
    answered_cutoff = Period.from_config("RIGHTS_RETENTION_MONTHS", "month").before(as_of)
    return {
        "unverified rights requests": (RightsRequest.verified_at.is_(None))
        & (RightsRequest.received_at < unverified_cutoff),
        "answered rights requests": RightsRequest.answered_at < answered_cutoff,
    }


def delete_requests(ids):
    mail.cancel(*(f"rights_request:{request_id}" for request_id in ids))
    db.session.execute(delete(RightsRequest).where(RightsRequest.id.in_(ids)))


def purge(as_of, dry_run):
    return {
        kind: delete_in_batches(RightsRequest.id, condition, delete_requests, dry_run)
        for kind, condition in expired(as_of).items()
    }


def due(start, end):
    before, after = expired(start), expired(end)
    return {kind: count_where(RightsRequest.id, after[kind] & ~before[kind]) for kind in after}


def addresses_held():
    """Every address this processing holds (a restored backup's replay finds people by them)."""
    return db.session.scalars(
        select(RightsRequest.email).where(RightsRequest.email.is_not(None)).distinct()
    ).all()
