"""/staff/consent?id=… (dpo): the ledger's history of one consent id, as a visitor quotes it."""

import re

from flask import render_template, request
from sqlalchemy import select

from koki_site.consent import bp
from koki_site.consent.models import ConsentRecord
from koki_site.core.auth import role_required
from koki_site.extensions import db

CONSENT_ID = re.compile(r"[0-9a-f]{1,64}")


@bp.get("/staff/consent")
@role_required("dpo")
def lookup():
    """Every decision recorded under the id the visitor read on their cookie settings."""
    consent_id = request.args.get("id", "").strip().lower()
    rows = None
    if consent_id and CONSENT_ID.fullmatch(consent_id):
        query = select(ConsentRecord).where(ConsentRecord.consent_id == consent_id)
        rows = db.session.scalars(query.order_by(ConsentRecord.decided_at, ConsentRecord.id)).all()
    return render_template(
        "consent/lookup.html", consent_id=consent_id, rows=rows, malformed=bool(consent_id) and rows is None
    )
