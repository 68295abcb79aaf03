"""The staff inbox (SPEC §6): messages by status and assignment, search, a thread, replies by mail."""

from datetime import UTC, datetime

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user
from sqlalchemy import func, or_, select

from koki_site import audit, mail
from koki_site.auth import role_required
from koki_site.contact import mails
from koki_site.contact.forms import TOPIC_LABELS, AssignForm, NoteForm, ReplyForm, StatusForm
from koki_site.contact.models import STATUSES, ContactMessage, ContactNote, ContactReply
from koki_site.extensions import db
from koki_site.pagination import paginate

bp = Blueprint("inbox", __name__, url_prefix="/staff/messages")
PER_PAGE = 25
SEARCHED = ("first_name", "last_name", "email", "company", "message")


@bp.get("")
@role_required("support")
def messages():
    """The messages, filtered by status, assignment and a search over name, email, company and text."""
    status = request.args.get("status", "")
    assigned = request.args.get("assigned", "")
    q = request.args.get("q", "").strip()
    query = select(ContactMessage).order_by(ContactMessage.received_at.desc(), ContactMessage.id.desc())
    if status in STATUSES:
        query = query.where(ContactMessage.status == status)
    if assigned == "mine":
        query = query.where(ContactMessage.assigned_to_id == current_user.id)
    elif assigned == "unassigned":
        query = query.where(ContactMessage.assigned_to_id.is_(None))
    if q:
        columns = [getattr(ContactMessage, name) for name in SEARCHED]
        query = query.where(or_(*(func.lower(c).contains(q.lower(), autoescape=True) for c in columns)))
    page = paginate(query, PER_PAGE)
    counts = dict(
        db.session.execute(select(ContactMessage.status, func.count()).group_by(ContactMessage.status)).all()
    )
    return render_template(
        "contact/inbox.html",
        page=page,
        counts=counts,
        status=status,
        assigned=assigned,
        q=q,
        statuses=STATUSES,
    )


STATUS_LABELS = {
    "new": lazy_pgettext("message status", "New"),
    "open": lazy_pgettext("message status", "Open"),
    "answered": lazy_pgettext("message status", "Answered"),
    "closed": lazy_pgettext("message status", "Closed"),
    "spam": lazy_pgettext("message status", "Spam"),
}
DELIVERY_LABELS = {"queued": _l("queued"), "sent": _l("sent"), "failed": _l("failed, see the outbox")}


@bp.app_context_processor
def inbox_labels():
    def assignment_label(message):
        if message.assigned_to_id is None:
            return _("Unassigned")
        return _("You") if message.assigned_to_id == current_user.id else _("A colleague")

    return {
        "status_label": STATUS_LABELS.get,
        "delivery_label": DELIVERY_LABELS.get,
        "assignment_label": assignment_label,
    }


def get_message(message_id):
    return db.session.get(ContactMessage, message_id) or abort(404)


@bp.get("/<int:message_id>")
@role_required("support")
def message(message_id):
    """One message with its thread; reading it is audited, and a new message becomes open."""
    message = get_message(message_id)
    if message.status == "new":
        message.status = "open"
    audit.log("message_view", target=f"message:{message.reference}")
    db.session.commit()
    return render_template(
        "contact/message.html",
        message=message,
        reply_form=ReplyForm(),
        note_form=NoteForm(),
        status_form=StatusForm(status=message.status),
        assign_form=AssignForm(),
        statuses=STATUSES,
        topics=TOPIC_LABELS,
    )


@bp.post("/<int:message_id>/reply")
@role_required("support")
def reply(message_id):
    """Mail a reply through the outbox and keep it with its delivery status."""
    message = get_message(message_id)
    if message.restricted:
        abort(403)  # restriction or objection (SPEC §7): no processing until the DPO lifts it
    form = ReplyForm()
    if not form.validate_on_submit():
        return rerender(message, reply_form=form), 400
    reply = ContactReply(
        message=message,
        author_id=current_user.id,
        author=current_user.email,
        body=form.body.data,
        created_at=now(),
    )
    db.session.add(reply)
    db.session.flush()
    mails.queue_reply(message, reply)
    message.status = "answered"
    audit.log("reply", target=f"message:{message.reference}", details={"reply": reply.id})
    db.session.commit()
    mail.deliver_queued()
    return redirect(url_for(".message", message_id=message.id, _anchor=f"reply-{reply.id}"), 303)


@bp.post("/<int:message_id>/note")
@role_required("support")
def note(message_id):
    """An internal note: stored with the thread, never mailed."""
    message = get_message(message_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return rerender(message, note_form=form), 400
    note = ContactNote(
        message=message,
        author_id=current_user.id,
        author=current_user.email,
        body=form.body.data,
        created_at=now(),
    )
    db.session.add(note)
    db.session.flush()
    audit.log("note", target=f"message:{message.reference}", details={"note": note.id})
    db.session.commit()
    return redirect(url_for(".message", message_id=message.id, _anchor=f"note-{note.id}"), 303)


@bp.post("/<int:message_id>/status")
@role_required("support")
def status(message_id):
    """Open, answered, closed, or spam."""
    message = get_message(message_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    audit.log(
        "status_change",
        target=f"message:{message.reference}",
        details={"from": message.status, "to": form.status.data},
    )
    message.status = form.status.data
    db.session.commit()
    return redirect(url_for(".message", message_id=message.id), 303)


@bp.post("/<int:message_id>/assign")
@role_required("support")
def assign(message_id):
    """Take the message, or leave it to anyone."""
    message = get_message(message_id)
    form = AssignForm()
    if not form.validate_on_submit():
        abort(400)
    message.assigned_to_id = current_user.id if form.assign.data == "me" else None
    audit.log("assign", target=f"message:{message.reference}", details={"assigned": form.assign.data})
    db.session.commit()
    return redirect(url_for(".message", message_id=message.id), 303)


def rerender(message, **forms):
    defaults = {
        "reply_form": ReplyForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "status_form": StatusForm(formdata=None, status=message.status),
        "assign_form": AssignForm(formdata=None),
    }
    return render_template(
        "contact/message.html", message=message, statuses=STATUSES, **{**defaults, **forms}
    )


def now():
    return datetime.now(UTC)
