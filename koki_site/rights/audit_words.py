"""What the audit log says of rights requests, in the staff's language."""

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from koki_site.core import audit, formats

ACTIONS = {
    "rights_view": _l("Rights request read"),
    "rights_verified": _l("Address confirmed by the visitor"),
    "rights_answer": _l("Rights request answered"),
    "rights_extend": _l("Deadline extended"),
    "rights_lift_restriction": _l("Restriction lifted"),
    "rights_access": _l("Data shown to the visitor (access)"),
    "rights_portability": _l("Data shown to the visitor (portability)"),
    "rights_erasure": _l("Data erased at the visitor's request"),
    "rights_restriction": _l("Processing restricted at the visitor's request"),
    "rights_objection": _l("Objection received: processing restricted until the DPO decides"),
    "rights_withdrawal": _l("Consent withdrawn by the visitor"),
    "rights_rectification": _l("Data corrected by the visitor"),
    "rights_directives": _l("Directives after death recorded"),
}
DETAILS = {
    "shown": _l("shown"),
    "removed": _l("removed"),
    "kept": _l("kept"),
    "restricted": _l("restricted"),
    "withdrawn": _l("withdrawn"),
    "changed": _l("changed"),
    "records": _l("records"),
}


def explain_answer(details):
    decision = {
        "done": pgettext("rights decision", "answered"),
        "refused": pgettext("rights decision", "refused"),
    }
    return [(_("decision"), str(decision.get(details.get("status"), details.get("status"))))]


def explain_extension(details):
    return [
        (
            _("deadline"),
            f"{formats.day(parsed(details.get('from')))} → {formats.day(parsed(details.get('to')))}",
        )
    ]


def parsed(value):
    """A date or moment given as ISO 8601 text (as records are found), or as it is."""
    if not isinstance(value, str):
        return value
    return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)


# What the audit log calls this capability's actions, targets and details (core/capabilities.py).
AUDIT_WORDS = {
    "actions": ACTIONS,
    "targets": {
        "rights": audit.TargetKind(_l("Rights request"), "rights_desk.by_reference", "reference", ("dpo",))
    },
    "details": DETAILS,
    "explain": {"rights_answer": explain_answer, "rights_extend": explain_extension},
}
