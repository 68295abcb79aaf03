"""The actions on one message: reply (and close, then the next one), notes, status, spam, assignment.

Each answers with a redirect that keeps the list the agent works through (its filters in the
query string); "reply and close" and "spam" go on to the next message of that list.
"""

from datetime import UTC, datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from koki_site import mail
from koki_site.contact import inbox_bp as bp
from koki_site.contact import listing, mails, read_marks, reply_aids
from koki_site.contact.forms import AssignForm, NoteForm, ReplyForm, StatusForm
from koki_site.contact.inbox import get_message, render_message
from koki_site.contact.models import ContactNote, ContactReply
from koki_site.core import audit
from koki_site.core.auth import role_required
from koki_site.extensions import db


def state():
    return listing.ListState.from_args(request.args)


def back_to(message, anchor=None):
    return redirect(url_for(".message", message_id=message.id, _anchor=anchor, **state().params()), 303)


def onwards(message):
    """The next message of the list (older, else newer), or the list itself when none is left."""
    newer, older = listing.neighbours(state(), current_user.id, message)
    following = older or newer
    if following is None:
        return redirect(url_for(".messages", **state().params()), 303)
    return redirect(url_for(".message", message_id=following, **state().params()), 303)


def change_status(message, status):
    if message.status != status:
        details = {"from": message.status, "to": status}
        audit.log("status_change", target=f"message:{message.reference}", details=details)
        message.status = status


@bp.post("/<id:message_id>/reply")
@role_required("support")
def reply(message_id):
    """Mail the reply box as it is; "then=close" closes the message and opens the next one."""
    message = get_message(message_id)
    if message.restricted:
        abort(403)  # restriction or objection: no processing until the DPO lifts it
    form = ReplyForm()
    if not form.validate_on_submit():
        return render_message(message, reply_form=form), 400
    reply = ContactReply(
        message=message,
        author_id=current_user.id,
        author=current_user.name,
        body=form.body.data,
        created_at=now(),
    )
    db.session.add(reply)
    db.session.flush()
    mails.queue_reply(message, reply)
    audit.log("reply", target=f"message:{message.reference}", details={"reply": reply.id})
    closing = request.form.get("then") == "close"
    change_status(message, "closed" if closing else "answered")
    read_marks.mark_read(message, current_user.id)
    db.session.commit()
    mail.deliver_queued()
    if closing:
        flash(_("Reply sent; %(reference)s is closed.", reference=message.reference), "success")
        return onwards(message)
    flash(_("Reply sent."), "success")
    return back_to(message, f"reply-{reply.id}")


@bp.post("/<id:message_id>/compose")
@role_required("support")
def compose(message_id):
    """Insert a saved reply into the reply box (before the signature), keeping what was typed."""
    message = get_message(message_id)
    form = ReplyForm()
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    chosen = next((r for r in reply_aids.saved_replies(message.language) if r.id == form.saved.data), None)
    if chosen is not None:
        form.body.data = reply_aids.insert(form.body.data, chosen.body)
    form.body.errors = []
    return render_message(message, reply_form=form)


@bp.post("/<id:message_id>/note")
@role_required("support")
def note(message_id):
    """An internal note: stored with the thread, never mailed."""
    message = get_message(message_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return render_message(message, note_form=form), 400
    note = ContactNote(
        message=message,
        author_id=current_user.id,
        author=current_user.name,
        body=form.body.data,
        created_at=now(),
    )
    db.session.add(note)
    db.session.flush()
    audit.log("note", target=f"message:{message.reference}", details={"note": note.id})
    db.session.commit()
    return back_to(message, f"note-{note.id}")


@bp.post("/<id:message_id>/status")
@role_required("support")
def status(message_id):
    """Open, answered, closed, or spam; marking spam goes on to the next message."""
    message = get_message(message_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    change_status(message, form.status.data)
    db.session.commit()
    if form.status.data == "spam":
        flash(_("%(reference)s is marked as spam.", reference=message.reference), "success")
        return onwards(message)
    return back_to(message)


@bp.post("/<id:message_id>/assign")
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
    return back_to(message)


@bp.post("/<id:message_id>/unread")
@role_required("support")
def unread(message_id):
    """Mark the message unread for oneself, and go back to the list."""
    message = get_message(message_id)
    if not FlaskForm().validate_on_submit():  # the CSRF token
        abort(400)
    read_marks.mark_unread(message, current_user.id)
    db.session.commit()
    return redirect(url_for(".messages", **state().params()), 303)


def now():
    return datetime.now(UTC)
