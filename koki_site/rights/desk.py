"""The DPO's desk: rights requests and their deadlines, and the Art. 30 record.

The list says who asked for what and how long is left, the late and the near ones in colour (and
in words); a request's page shows, besides the request, everything held for that person, as the
person sees it. A verified request is answered within one calendar month (rights/deadlines.py),
extended at most once by two months with a reason the visitor is told. The actions are in
rights/desk_actions.py, the record of processing activities in rights/processing_record.py.
"""

import json
import re
from datetime import timedelta

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, ngettext
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from koki_site.core import audit, register, staff_tasks
from koki_site.core.audit import AuditEntry
from koki_site.core.auth import role_required
from koki_site.core.form_validators import no_nul, text_block
from koki_site.core.pagination import paginate
from koki_site.extensions import db
from koki_site.rights import deadlines, plain_words, records
from koki_site.rights import desk_bp as bp
from koki_site.rights.models import STATUSES, RightsRequest

PER_PAGE = 50
TO_HANDLE = ("open", "to_examine", "extended")
ANSWERED = ("done", "refused")
LIFTABLE = ("restriction", "objection")  # the rights whose verification restricted the records
REFERENCE = re.compile(r"KOKI-R-\d{4}-\d{5,}")
SOON = 7  # days: a deadline this close is shown as near
STATUS_LABELS = {
    "awaiting_verification": lazy_pgettext("rights request status", "Awaiting verification"),
    "open": lazy_pgettext("rights request status", "Open"),
    "to_examine": lazy_pgettext("rights request status", "To examine"),
    "extended": lazy_pgettext("rights request status", "Extended"),
    "done": lazy_pgettext("rights request status", "Done"),
    "refused": lazy_pgettext("rights request status", "Refused"),
}


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer to the visitor"),
        filters=[text_block],
        validators=[DataRequired(_l("Please write the answer.")), Length(max=10000), no_nul],
    )
    decision = StringField(default="done", validators=[AnyOf(ANSWERED)])  # the button pressed


class RefuseForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the refusal"),
        filters=[text_block],
        validators=[
            DataRequired(_l("Please give the reason: the visitor is told it.")),
            Length(max=10000),
            no_nul,
        ],
    )


class ExtendForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the extension"),
        filters=[text_block],
        validators=[
            DataRequired(_l("Please give the reason: the visitor is told it.")),
            Length(max=2000),
            no_nul,
        ],
    )


def to_handle():
    return select(func.count()).select_from(RightsRequest).where(RightsRequest.status.in_(TO_HANDLE))


def overdue():
    """How many requests to answer are past their deadline (the staff home, GET /metrics)."""
    return db.session.scalar(to_handle().where(RightsRequest.deadline < deadlines.today()))


def due_soon():
    """How many requests to answer are due within SOON days, today included."""
    today = deadlines.today()
    return db.session.scalar(
        to_handle().where(RightsRequest.deadline.between(today, today + timedelta(days=SOON)))
    )


def waiting_requests():
    """The staff home: overdue requests, those due within SOON days, and the others to answer."""
    late, soon = overdue(), due_soon()
    rest = db.session.scalar(to_handle()) - late - soon
    url = url_for("rights_desk.requests")
    tasks = []
    if late:
        text = ngettext(
            "%(count)s rights request is overdue", "%(count)s rights requests are overdue", late, count=late
        )
        tasks.append(staff_tasks.Task(text, url, urgent=True, count=late))
    if soon:
        text = ngettext(
            "%(count)s rights request is due within %(days)s days",
            "%(count)s rights requests are due within %(days)s days",
            soon,
            count=soon,
            days=SOON,
        )
        tasks.append(staff_tasks.Task(text, url, urgent=True, count=soon))
    if rest and tasks:  # "other" than the overdue and the near ones just listed
        text = ngettext(
            "%(count)s other rights request to answer",
            "%(count)s other rights requests to answer",
            rest,
            count=rest,
        )
    elif rest:
        text = ngettext(
            "%(count)s rights request to answer", "%(count)s rights requests to answer", rest, count=rest
        )
    if rest:
        tasks.append(staff_tasks.Task(text, url, count=rest))
    return tasks or [staff_tasks.Task(_("No rights request waits for an answer."), url)]


def right_label(key):
    return register.RIGHTS[key][0] if key in register.RIGHTS else key


def urgency(rights_request, today):
    """ "late", "soon" (within SOON days) or "" for a request still to answer."""
    if rights_request.status not in TO_HANDLE or rights_request.deadline is None:
        return ""
    left = deadlines.days_left(rights_request.deadline, today)
    return "late" if left < 0 else "soon" if left <= SOON else ""


@bp.context_processor
def desk_helpers():
    today = deadlines.today()
    return {
        "request_status_label": lambda status: STATUS_LABELS.get(status, status),
        "right_label": right_label,
        "days_left": lambda deadline: deadlines.days_left(deadline, today),
        "urgency": lambda rights_request: urgency(rights_request, today),
    }


@bp.get("/rights")
@role_required("dpo")
def requests():
    """Every request: those to answer by deadline (overdue first), then unverified, then answered."""
    status = request.args.get("status", "")
    group = case(
        (RightsRequest.status.in_(TO_HANDLE), 0),
        (RightsRequest.status == "awaiting_verification", 1),
        else_=2,
    )
    pending_deadline = case((RightsRequest.status.in_(TO_HANDLE), RightsRequest.deadline))
    query = select(RightsRequest).order_by(
        group,
        pending_deadline.asc().nulls_last(),
        RightsRequest.answered_at.desc().nulls_last(),
        RightsRequest.received_at.desc(),
        RightsRequest.id.desc(),
    )
    if status in STATUSES:
        query = query.where(RightsRequest.status == status)
    page = paginate(query, PER_PAGE)
    return render_template(
        "rights/desk.html", page=page, counts=counts(), status=status, statuses=STATUSES, to_handle=TO_HANDLE
    )


def counts():
    by_status = select(RightsRequest.status, func.count()).group_by(RightsRequest.status)
    return dict(db.session.execute(by_status).all())


def get_request(request_id):
    return db.session.get(RightsRequest, request_id) or abort(404)


def target(rights_request):
    return f"rights:{rights_request.reference or rights_request.id}"


@bp.get("/rights/ref/<reference>")
@role_required("dpo")
def by_reference(reference):
    """A request by its reference (the audit log links so): its page."""
    if not REFERENCE.fullmatch(reference):
        abort(404)
    found = db.session.scalar(select(RightsRequest.id).where(RightsRequest.reference == reference))
    return redirect(url_for(".detail", request_id=found)) if found else abort(404)


def can_extend(rights_request):
    """Once, while open, and before the deadline: Art. 12(3) wants the visitor told within the month."""
    return (
        rights_request.status == "open"
        and rights_request.extension_reason is None
        and rights_request.deadline is not None
        and deadlines.days_left(rights_request.deadline) >= 0
    )


def can_lift(rights_request):
    return rights_request.right in LIFTABLE and rights_request.status in ANSWERED


@bp.get("/rights/<id:request_id>")
@role_required("dpo")
def detail(request_id):
    """One request, what was done for it, what we hold for the person, and the DPO's forms; audited."""
    rights_request = get_request(request_id)
    audit.log("rights_view", target=target(rights_request))
    db.session.commit()
    return render_detail(rights_request)


def render_detail(rights_request, **forms):
    outcome = plain_words.done(json.loads(rights_request.outcome or "{}"))
    lifted = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "rights_lift_restriction", AuditEntry.target == target(rights_request))
        .order_by(AuditEntry.at.desc())
    ).first()
    return render_template(
        "rights/desk_request.html",
        rights_request=rights_request,
        outcome=outcome,
        lifted=lifted,
        held=plain_words.shown(records.everything_held(rights_request.email)),  # as the visitor sees it
        answer_form=forms.get("answer_form") or AnswerForm(formdata=None),
        refuse_form=forms.get("refuse_form") or RefuseForm(formdata=None),
        extend_form=forms.get("extend_form") or ExtendForm(formdata=None),
        can_answer=rights_request.status in TO_HANDLE,
        can_extend=can_extend(rights_request),
        can_lift=can_lift(rights_request),
    )
