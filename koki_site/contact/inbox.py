"""The staff inbox: a line per conversation, a thread per message, one step to answer.

The list says who wrote, about what (topic and first words), when, the status and who has it,
unread in bold; it pages by position (contact/listing.py). A message's page keeps the list it was
opened from (its filters in the query string), so "next" and "reply and close" go on through it.
The actions on a message are in contact/thread.py, saved replies and signatures in
contact/saved_reply_pages.py.
"""

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from koki_site.contact import inbox_bp as bp
from koki_site.contact import inbox_words, listing, read_marks, reply_aids, visitor_answers
from koki_site.contact.forms import TOPIC_LABELS, AssignForm, BulkForm, NoteForm, ReplyForm, StatusForm
from koki_site.contact.models import STATUSES, ContactMessage
from koki_site.core import audit, staff_tasks
from koki_site.core.auth import role_required
from koki_site.core.database_ids import database_id
from koki_site.extensions import db

REFERENCE = re.compile(r"KOKI-\d{4}-\d{5,}")
FIRST_WORDS = 90  # characters of the message shown in the list after its topic


def waiting_messages():
    """The staff home: new messages, and open ones (answers that came back among them)."""
    counts = listing.counts()
    tasks = []
    for status, text in (
        ("new", lambda n: ngettext("%(count)s new message", "%(count)s new messages", n, count=n)),
        ("open", lambda n: ngettext("%(count)s open message", "%(count)s open messages", n, count=n)),
    ):
        if counts.get(status):
            url = url_for("inbox.messages", status=status)
            tasks.append(
                staff_tasks.Task(text(counts[status]), url, urgent=status == "new", count=counts[status])
            )
    return tasks or [staff_tasks.Task(_("No message waits for an answer."), url_for("inbox.messages"))]


def first_words(text, length=FIRST_WORDS):
    """The start of a message on one line, cut at a word: what it is about, at a glance."""
    line = re.sub(r"\s+", " ", text).strip()
    if len(line) <= length:
        return line
    return line[:length].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def topic_label(message):
    """The topic the visitor chose (the form's optional `topic`), when the message has one."""
    return TOPIC_LABELS.get(message.topic, "") if message.topic else ""


@bp.app_context_processor
def inbox_labels():
    def assignment_label(message):
        if message.assigned_to_id is None:
            return _("Unassigned")
        return _("You") if message.assigned_to_id == current_user.id else _("A colleague")

    return {
        "status_label": inbox_words.STATUS_LABELS.get,
        "delivery_label": inbox_words.DELIVERY_LABELS.get,
        "assignment_label": assignment_label,
        "topic_label": topic_label,
        "first_words": first_words,
        "split_quote": visitor_answers.split_quote,
        "dropped_files": visitor_answers.dropped_files,
    }


@bp.get("")
@role_required("support")
def messages():
    """The list: by status, assignment and a search over name, address, company and text; 25 a page."""
    state = listing.ListState.from_args(request.args)
    # A position no message can have is no position: the list starts from the newest.
    before, after = (request.args.get(name, type=database_id) for name in ("before", "after"))
    ids = state.matches(current_user.id)
    oldest = request.args.get("oldest") == "1"
    page = listing.page(state, current_user.id, before, after, oldest=oldest, ids=ids)
    counts = listing.counts()
    total, more = listing.total(state, counts, ids)
    return render_template(
        "contact/inbox.html",
        state=state,
        page=page,
        counts=counts,
        total=total,
        more=more,
        unread=read_marks.unread_among(page.items, current_user.id),
        statuses=STATUSES,
        bulk_form=BulkForm(formdata=None),
    )


def messages_count(number, more=False):
    """ "1 message", "25 messages", "more than 1,000 messages"."""
    if more:
        return _("more than %(count)s messages", count=format_number(number))
    return ngettext("%(count)s message", "%(count)s messages", number, count=format_number(number))


bp.add_app_template_global(messages_count)


def get_message(message_id):
    return db.session.get(ContactMessage, message_id) or abort(404)


@bp.get("/<id:message_id>")
@role_required("support")
def message(message_id):
    """One message with its thread; reading it is audited, marks it read, and a new one becomes open."""
    message = get_message(message_id)
    if message.status == "new":
        message.status = "open"
    read_marks.mark_read(message, current_user.id)
    audit.log("message_view", target=f"message:{message.reference}")
    db.session.commit()
    return render_message(message)


def render_message(message, **forms):
    """The message's page; forms given (with their errors) replace the fresh ones."""
    state = listing.ListState.from_args(request.args)
    newer, older = listing.neighbours(state, current_user.id, message)
    reply_form = forms.get("reply_form")
    if reply_form is None:
        reply_form = ReplyForm(formdata=None)
        reply_form.body.data = reply_aids.draft(message, current_user.id)  # as is: the lines to write on
    entries = sorted(
        [("reply", r) for r in message.replies]
        + [("note", n) for n in message.notes]
        + [("answer", a) for a in message.answers],
        key=lambda entry: (entry[1].created_at, entry[0]),
    )
    return render_template(
        "contact/message.html",
        message=message,
        state=state,
        newer=newer,
        older=older,
        thread=entries,
        others=listing.others_from(message),
        saved_replies=reply_aids.saved_replies(message.language),
        reply_form=reply_form,
        note_form=forms.get("note_form") or NoteForm(formdata=None),
        status_form=StatusForm(formdata=None, status=message.status),
        assign_form=AssignForm(formdata=None),
        statuses=STATUSES,
        topics=TOPIC_LABELS,
    )


@bp.get("/ref/<reference>")
@role_required("support")
def by_reference(reference):
    """A message by its reference (the audit log links so): its page."""
    if not REFERENCE.fullmatch(reference):
        abort(404)
    found = db.session.scalar(select(ContactMessage.id).where(ContactMessage.reference == reference))
    return redirect(url_for(".message", message_id=found)) if found else abort(404)


@bp.post("/bulk")
@role_required("support")
def bulk():
    """Close the chosen messages, or mark them as spam; each change is audited."""
    state = listing.ListState.from_args(request.args)
    form = BulkForm()
    if not form.validate_on_submit():
        flash(_("Choose at least one message."), "error")
        return redirect(url_for(".messages", **state.params()), 303)
    chosen = db.session.scalars(select(ContactMessage).where(ContactMessage.id.in_(form.ids.data))).all()
    for message in chosen:
        if message.status != form.status.data:
            details = {"from": message.status, "to": form.status.data}
            audit.log("status_change", target=f"message:{message.reference}", details=details)
            message.status = form.status.data
    db.session.commit()
    if form.status.data == "spam":
        flash(
            ngettext("%(num)s message marked as spam.", "%(num)s messages marked as spam.", len(chosen)),
            "success",
        )
    else:
        flash(ngettext("%(num)s message closed.", "%(num)s messages closed.", len(chosen)), "success")
    return redirect(url_for(".messages", **state.params()), 303)
