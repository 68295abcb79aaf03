"""The inbox's words: statuses, delivery, and what the audit log says of this capability's actions."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from koki_site.core import audit

STATUS_LABELS = {
    "new": lazy_pgettext("message status", "New"),
    "open": lazy_pgettext("message status", "Open"),
    "answered": lazy_pgettext("message status", "Answered"),
    "closed": lazy_pgettext("message status", "Closed"),
    "spam": lazy_pgettext("message status", "Spam"),
}
DELIVERY_LABELS = {"queued": _l("queued"), "sent": _l("sent"), "failed": _l("failed, see the outbox")}
ACTIONS = {
    "message_view": _l("Message read"),
    "reply": _l("Reply sent"),
    "note": _l("Internal note added"),
    "status_change": _l("Message status changed"),
    "assign": _l("Message taken or left"),
    "answer_received": _l("Visitor's answer received by mail"),
    "saved_reply": _l("Saved reply changed"),
}
DETAILS = {
    "reply": _l("reply no."),
    "note": _l("note no."),
    "answer": _l("answer no."),
    "attachments_dropped": _l("attachments not kept"),
}


def status(key):
    return str(STATUS_LABELS.get(key, key))


def explain_status_change(details):
    return [(_("status"), f"{status(details.get('from'))} → {status(details.get('to'))}")]


def explain_assign(details):
    taken = details.get("assigned") == "me"
    return [(_("assignment"), _("taken") if taken else _("left to anyone"))]


def explain_answer(details):
    before, after = (details.get("status") or [None, None])[:2]
    return [
        (_("answer no."), str(details.get("answer"))),
        (_("attachments not kept"), str(details.get("attachments_dropped", 0))),
        (_("status"), f"{status(before)} → {status(after)}"),
    ]


def explain_saved_reply(details):
    change = {"added": _("added"), "changed": _("changed"), "deleted": _("deleted")}
    return [(_("change"), change.get(details.get("change"), details.get("change")))]


# What the audit log calls this capability's actions, targets and details (core/capabilities.py).
AUDIT_WORDS = {
    "actions": ACTIONS,
    "targets": {
        "message": audit.TargetKind(_l("Message"), "inbox.by_reference", "reference", ("support",)),
        "saved_reply": audit.TargetKind(_l("Saved reply"), "inbox.saved_reply", "reply_id", ("support",)),
    },
    "details": DETAILS,
    "explain": {
        "status_change": explain_status_change,
        "assign": explain_assign,
        "answer_received": explain_answer,
        "saved_reply": explain_saved_reply,
    },
}
