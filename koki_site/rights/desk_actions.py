"""The DPO's actions on a request: answer, refuse (with its own reason), extend, lift a restriction.

Answers and extensions are mailed through the outbox in the visitor's language, in the
transaction that records them; every action is audited.
"""

from datetime import UTC, datetime

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from koki_site import mail
from koki_site.core import audit
from koki_site.core.auth import role_required
from koki_site.extensions import db
from koki_site.rights import deadlines, records
from koki_site.rights import desk_bp as bp
from koki_site.rights.desk import (
    TO_HANDLE,
    AnswerForm,
    ExtendForm,
    RefuseForm,
    can_extend,
    can_lift,
    get_request,
    render_detail,
    right_label,
    target,
)


def back_to(rights_request):
    return redirect(url_for(".detail", request_id=rights_request.id), 303)


@bp.post("/rights/<id:request_id>/answer")
@role_required("dpo")
def answer(request_id):
    """Mail the answer in the visitor's language; the request is done (or refused, with decision=refused)."""
    rights_request = get_request(request_id)
    if rights_request.status not in TO_HANDLE:
        flash(_("This request cannot be answered now: it is not open."), "error")
        return back_to(rights_request)
    form = AnswerForm()
    if not form.validate_on_submit():
        return render_detail(rights_request, answer_form=form), 400
    close(rights_request, form.answer.data, form.decision.data)
    return back_to(rights_request)


@bp.post("/rights/<id:request_id>/refuse")
@role_required("dpo")
def refuse(request_id):
    """Refuse the request for the reason given: mailed with the right to complain to the CNIL."""
    rights_request = get_request(request_id)
    if rights_request.status not in TO_HANDLE:
        flash(_("This request cannot be answered now: it is not open."), "error")
        return back_to(rights_request)
    form = RefuseForm()
    if not form.validate_on_submit():
        return render_detail(rights_request, refuse_form=form), 400
    if rights_request.status == "to_examine":  # an objection rejected: the records are used again
        lift_restriction(rights_request)
    close(rights_request, form.reason.data, "refused")
    return back_to(rights_request)


def close(rights_request, text, decision):
    rights_request.answer = text
    rights_request.answered_at = datetime.now(UTC)
    rights_request.status = decision
    queue_mail(rights_request, "email/rights_answer.txt", "rights_answer")
    audit.log("rights_answer", target=target(rights_request), details={"status": rights_request.status})
    db.session.commit()
    mail.deliver_queued()
    if decision == "refused":
        flash(_("The refusal and its reason are sent to the visitor."), "success")
    else:
        flash(_("The answer is sent to the visitor."), "success")


@bp.post("/rights/<id:request_id>/extend")
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


@bp.post("/rights/<id:request_id>/lift")
@role_required("dpo")
def lift(request_id):
    """Lift the restriction of the person's records, through every processing that can restrict."""
    rights_request = get_request(request_id)
    if not can_lift(rights_request):
        flash(_("Only an answered restriction or objection request has a restriction to lift."), "error")
        return back_to(rights_request)
    lift_restriction(rights_request)
    db.session.commit()
    flash(_("The restriction is lifted: the records are processed again."), "success")
    return back_to(rights_request)


def lift_restriction(rights_request):
    """Processed again; in the backups' ledger too, so that a restore does not restrict them again."""
    lifted = records.carry_out(rights_request, "restrict", False)
    audit.log("rights_lift_restriction", target=target(rights_request), details=lifted)


def queue_mail(rights_request, template, kind):
    """A mail to the visitor in the language of their request, from and answered by the DPO."""
    with force_locale(rights_request.language):
        subject = _("Your request %(reference)s", reference=rights_request.reference)
        text = render_template(
            template, rights_request=rights_request, right=str(right_label(rights_request.right))
        )
    headers = {"Reply-To": current_app.config["DPO_EMAIL"]} | mail.WRITTEN_BY_A_PERSON
    mail.queue(
        rights_request.email,
        subject,
        text,
        headers=headers,
        ref=f"{kind}:{rights_request.id}",
        lang=rights_request.language,
    )
