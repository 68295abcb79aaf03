"""The DPO's desk (SPEC §6, §7, §10): rights requests and their deadlines, and the Art. 30 record.

A verified request is answered within one calendar month (rights/deadlines.py), extended at most
once by two months with a reason the visitor is told. Answers and extensions are mailed through
the outbox in the visitor's language, in the transaction that records them.
"""

import json
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import case, func, select
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from koki_site import audit, mail, register
from koki_site.audit import AuditEntry
from koki_site.auth import role_required
from koki_site.extensions import db
from koki_site.form_validators import no_nul, strip
from koki_site.pagination import paginate
from koki_site.rights import deadlines
from koki_site.rights.models import STATUSES, RightsRequest

bp = Blueprint("rights_desk", __name__, url_prefix="/staff")
PER_PAGE = 50
TO_HANDLE = ("open", "extended")
ANSWERED = ("done", "refused")
LIFTABLE = ("restriction", "objection")  # the rights whose verification restricted the records
STATUS_LABELS = {
    "awaiting_verification": lazy_pgettext("rights request status", "Awaiting verification"),
    "open": lazy_pgettext("rights request status", "Open"),
    "extended": lazy_pgettext("rights request status", "Extended"),
    "done": lazy_pgettext("rights request status", "Done"),
    "refused": lazy_pgettext("rights request status", "Refused"),
}


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer to the visitor"),
        filters=[strip],
        validators=[DataRequired(_l("Please write the answer.")), Length(max=10000), no_nul],
    )
    decision = StringField(default="done", validators=[AnyOf(ANSWERED)])  # the button pressed


class ExtendForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the extension"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give the reason: the visitor is told it.")),
            Length(max=2000),
            no_nul,
        ],
    )


def right_label(key):
    return register.RIGHTS[key][0] if key in register.RIGHTS else key


@bp.context_processor
def desk_helpers():
    today = deadlines.today()
    return {
        "request_status_label": lambda status: STATUS_LABELS.get(status, status),
        "right_label": right_label,
        "days_left": lambda deadline: deadlines.days_left(deadline, today),
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
    counts = dict(
        db.session.execute(select(RightsRequest.status, func.count()).group_by(RightsRequest.status)).all()
    )
    return render_template(
        "rights/desk.html", page=page, counts=counts, status=status, statuses=STATUSES, to_handle=TO_HANDLE
    )


def get_request(request_id):
    return db.session.get(RightsRequest, request_id) or abort(404)


def target(rights_request):
    return f"rights:{rights_request.reference or rights_request.id}"


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


@bp.get("/rights/<int:request_id>")
@role_required("dpo")
def detail(request_id):
    """One request with what was done for it, and the DPO's forms; reading it is audited."""
    rights_request = get_request(request_id)
    audit.log("rights_view", target=target(rights_request))
    db.session.commit()
    return render_detail(rights_request)


def render_detail(rights_request, **forms):
    try:
        outcome = json.loads(rights_request.outcome) if rights_request.outcome else None
    except ValueError:
        outcome = rights_request.outcome  # not JSON: shown as it is
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
        answer_form=forms.get("answer_form") or AnswerForm(formdata=None),
        extend_form=forms.get("extend_form") or ExtendForm(formdata=None),
        can_answer=rights_request.status in TO_HANDLE,
        can_extend=can_extend(rights_request),
        can_lift=can_lift(rights_request),
    )


def back_to(rights_request):
    return redirect(url_for(".detail", request_id=rights_request.id), 303)


@bp.post("/rights/<int:request_id>/answer")
@role_required("dpo")
def answer(request_id):
    """Mail the answer in the visitor's language; the request is done, or refused with the reason."""
    rights_request = get_request(request_id)
    if rights_request.status not in TO_HANDLE:
        flash(_("This request cannot be answered now: it is not open."), "error")
        return back_to(rights_request)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_detail(rights_request, answer_form=form), 400
    rights_request.answer = form.answer.data
    rights_request.answered_at = datetime.now(UTC)
    rights_request.status = form.decision.data
    queue_mail(rights_request, "email/rights_answer.txt", "rights_answer")
    audit.log("rights_answer", target=target(rights_request), details={"status": rights_request.status})
    db.session.commit()
    mail.deliver_queued()
    flash(_("The answer is sent to the visitor."), "success")
    return back_to(rights_request)


@bp.post("/rights/<int:request_id>/extend")
@role_required("dpo")
def extend(request_id):
    """Two more months, once, with a reason mailed to the visitor with the new deadline."""
    rights_request = get_request(request_id)
    if not can_extend(rights_request):
        flash(_("This request cannot be extended: only an open request, once, before its deadline."), "error")
        return back_to(rights_request)
    form = ExtendForm()
    if not form.validate_on_submit():
        return render_detail(rights_request, extend_form=form), 400
    previous = rights_request.deadline
    rights_request.deadline = deadlines.extended(previous)
    rights_request.status = "extended"
    rights_request.extension_reason = form.reason.data
    queue_mail(rights_request, "email/rights_extension.txt", "rights_extension")
    details = {"from": previous.isoformat(), "to": rights_request.deadline.isoformat()}
    audit.log("rights_extend", target=target(rights_request), details=details)
    db.session.commit()
    mail.deliver_queued()
    flash(_("The deadline is extended and the visitor is told why."), "success")
    return back_to(rights_request)


@bp.post("/rights/<int:request_id>/lift")
@role_required("dpo")
def lift(request_id):
    """Lift the restriction of the person's records, through every processing that can restrict."""
    rights_request = get_request(request_id)
    if not can_lift(rights_request):
        flash(_("Only an answered restriction or objection request has a restriction to lift."), "error")
        return back_to(rights_request)
    lifted = {}
    for _processing, handlers in register.handlers_of(current_app):
        if handlers.restrict:
            lifted.update(handlers.restrict(rights_request.email, False))
    audit.log("rights_lift_restriction", target=target(rights_request), details=lifted)
    db.session.commit()
    flash(_("The restriction is lifted: the records are processed again."), "success")
    return back_to(rights_request)


def queue_mail(rights_request, template, kind):
    """A mail to the visitor in the language of their request, from and answered by the DPO."""
    with force_locale(rights_request.language):
        subject = _("Your request %(reference)s", reference=rights_request.reference)
        text = render_template(
            template, rights_request=rights_request, right=str(right_label(rights_request.right))
        )
    reply_to = {"Reply-To": current_app.config["DPO_EMAIL"]}
    mail.queue(rights_request.email, subject, text, headers=reply_to, ref=f"{kind}:{rights_request.id}")


# The record of processing activities shares this blueprint (and its role checks).
from koki_site.rights import record  # noqa: E402, F401
