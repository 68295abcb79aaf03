"""What the audit log says of rights requests, and the field names of the records held for a person."""

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from koki_site import audit, formats, register

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
# The fields of the records a processing finds for a person (register `find`), in words.
FIELDS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "email": _l("Email address"),
    "company": _l("Company"),
    "phone": _l("Telephone"),
    "topic": _l("Subject"),
    "message": _l("Message"),
    "language": _l("Language"),
    "received_at": _l("Received"),
    "legal_basis": _l("Legal basis"),
    "delete_after": _l("To be deleted on"),
    "status": _l("Status"),
    "source": _l("Page of the form"),
    "policy_version": _l("Version of the privacy policy"),
    "consent_text_sha256": _l("Fingerprint of the consent text shown (SHA-256)"),
    "subscribed_at": _l("Subscribed"),
    "confirmed_at": _l("Confirmed"),
    "unsubscribed_at": _l("Unsubscribed"),
    "right": _l("Right"),
    "verified_at": _l("Address confirmed"),
    "answered_at": _l("Answered"),
}
MOMENTS = ("received_at", "subscribed_at", "confirmed_at", "unsubscribed_at", "verified_at", "answered_at")
RECORD_STATUSES = {
    "new": lazy_pgettext("record status", "received"),
    "open": lazy_pgettext("record status", "in progress"),
    "answered": lazy_pgettext("record status", "answered"),
    "closed": lazy_pgettext("record status", "closed"),
    "spam": lazy_pgettext("record status", "closed"),
    "pending": lazy_pgettext("record status", "waiting for confirmation"),
    "confirmed": lazy_pgettext("record status", "confirmed"),
    "unsubscribed": lazy_pgettext("record status", "unsubscribed"),
    "awaiting_verification": lazy_pgettext("record status", "waiting for confirmation"),
    "extended": lazy_pgettext("record status", "in progress"),
    "done": lazy_pgettext("record status", "answered"),
    "refused": lazy_pgettext("record status", "refused"),
}


def shown(name, value):
    """A field of a record as a person reads it: dates, telephone, language, legal basis in words."""
    if value is None or value == "":
        return ""
    if name in MOMENTS:
        return formats.moment(parsed(value))
    if name == "delete_after":
        return formats.day(parsed(value))
    words = {
        "phone": formats.phone,
        "language": formats.language,
        "legal_basis": lambda key: register.LEGAL_BASES.get(key, key),
        "right": lambda key: register.RIGHTS[key][0] if key in register.RIGHTS else key,
        "status": lambda key: RECORD_STATUSES.get(key, key),
    }
    return str(words[name](value)) if name in words else str(value)


def present(record):
    """A record found for a person (register `find`) as (label, text) rows: what the DPO and the
    person see, the same way."""
    fields = record["fields"]
    rows = [(_("Reference"), record["reference"])]
    rows += [
        (str(FIELDS.get(name, name.replace("_", " "))), shown(name, value))
        for name, value in fields.items()
        if name not in ("replies", "answers")
    ]
    for reply in fields.get("replies", []):
        rows.append(
            (_("Our reply of %(date)s", date=formats.moment(parsed(reply["sent_at"]))), reply["body"])
        )
    for answer in fields.get("answers", []):
        when = formats.moment(parsed(answer["received_at"]))
        rows.append((_("Answer by mail of %(date)s", date=when), answer["body"]))
    return rows


def explain_answer(details):
    decision = {"done": _("answered"), "refused": _("refused")}
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


def describe_for_the_audit_log(app):
    audit.describe(
        app,
        actions=ACTIONS,
        targets={
            "rights": audit.TargetKind(
                _l("Rights request"), "rights_desk.by_reference", "reference", ("dpo",)
            )
        },
        details=DETAILS,
        explain={"rights_answer": explain_answer, "rights_extend": explain_extension},
    )
