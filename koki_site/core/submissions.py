"""A form stored once: each rendered form carries a submission id, and a second POST of it answers
like the first (a double click, a browser retrying after a lost answer) and stores nothing new.

The id is the primary key of form_submission, added in the transaction of the data: two POSTs
at the same moment cannot both commit. Only uncached pages carry one (a cached page would give
every visitor the same id). The rows hold no personal data and go after a day.
"""

import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from koki_site.core.models import FormSubmission
from koki_site.extensions import db

FIELD = "submission"
KEPT = timedelta(days=1)  # a browser's retry comes within minutes
TOKEN = re.compile(r"[\w-]{16,64}")


def new_token():
    return secrets.token_urlsafe(18)


def field():
    """The hidden field of a form: a fresh id on each rendering, the posted one when sent back."""
    return HiddenField(default=new_token)


def key(form_name, token):
    """The row's id, or None when the form sent no usable token (then nothing is deduplicated)."""
    return f"{form_name}:{token}" if token and TOKEN.fullmatch(token) else None


def earlier(form_name, token):
    """The FormSubmission of an earlier POST of this rendered form, or None."""
    row_id = key(form_name, token)
    return db.session.get(FormSubmission, row_id) if row_id else None


def record(form_name, token, answer, reference=None):
    """Add the submission to the current transaction, with the answer the visitor is given."""
    row_id = key(form_name, token)
    if row_id:
        db.session.add(
            FormSubmission(id=row_id, answer=answer, reference=reference, created_at=datetime.now(UTC))
        )


def forget_old(now):
    """Housekeeping for the worker's daily run: how many were deleted."""
    result = db.session.execute(delete(FormSubmission).where(FormSubmission.created_at < now - KEPT))
    return result.rowcount


def store_once(form_name, token, store):
    """Store a form's data once per rendered form: (answer, reference) of this POST or of the first.

    store() adds the data to the session and returns (answer, reference); it is committed with the
    submission's row. A POST of the same form at the same moment fails on that row's key: its
    answer is the first one's. Any other database failure is raised, for a 503 with the text kept.
    """
    first = earlier(form_name, token)
    if first is not None:
        return first.answer, first.reference
    try:
        answer, reference = store()
        record(form_name, token, answer, reference)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the mail it queued goes with it (mail.deliver_queued)
        first = earlier(form_name, token)
        if first is None:
            raise
        return first.answer, first.reference
    return answer, reference
