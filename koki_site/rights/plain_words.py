"""The verified rights pages in plain words: no field name, code or ISO timestamp reaches the visitor.

Each processing presents its own records (`present` in the register: labels in the page's
language, dates in Paris time, numbers as people write them); this module gathers them, says
what an erasure removed, and reads the details that rectification may change.
"""

from flask import current_app
from flask_babel import format_number, gettext, ngettext
from flask_babel import lazy_gettext as _l

from koki_site.core import record_kinds, register
from koki_site.rights.forms import RECTIFIABLE

# The page's heading, by right: what the visitor came to do, in their words.
HEADINGS = {
    "access": _l("The data we hold about you"),
    "portability": _l("Your data, to keep or to pass on"),
    "rectification": _l("Correct your details"),
    "erasure": _l("Erase your data"),
    "restriction": _l("Stop the use of your data"),
    "objection": _l("Object to the use of your data"),
    "withdraw_consent": _l("Withdraw your consent"),
    "post_mortem": _l("Your directives for after your death"),
}


def shown(held):
    """[(processing, records)] as [(processing, [rows])], each record in plain words."""
    handlers = {processing.key: found for processing, found in register.handlers_of(current_app)}
    return [
        (processing, [present(handlers[processing.key], record) for record in records])
        for processing, records in held
    ]


def present(handlers, record):
    if handlers.present:
        return handlers.present(record)
    return [(_l("Reference"), record["reference"])]  # a processing that cannot say more


def erased(removed):
    """What an erasure removed ({kind: count}, as the erasers report it), as sentences."""
    sentences = []
    for kind, count in removed.items():
        if not count:
            continue
        if kind == "contact messages":
            sentences.append(
                ngettext(
                    "%(num)s message sent through our contact form, with our replies",
                    "%(num)s messages sent through our contact form, with our replies",
                    count,
                )
            )
        elif kind == "newsletter subscriptions":
            sentences.append(
                ngettext("%(num)s newsletter subscription", "%(num)s newsletter subscriptions", count)
            )
        elif kind == "mail waiting to be sent":
            sentences.append(
                ngettext("%(num)s email not yet sent to you", "%(num)s emails not yet sent to you", count)
            )
        else:  # a processing added later, before its words are written here
            sentences.append(f"{kind}: {count}")
    return sentences


# What was done for a request (its outcome, stored as JSON by key), as the DPO's page heads it.
DONE = {
    "shown": _l("Shown to the person"),
    "removed": _l("Erased"),
    "kept": _l("Kept, not erased"),
    "restricted": _l("Restricted: kept, but no longer used"),
    "withdrawn": _l("Consents withdrawn"),
    "changed": _l("Details corrected"),
    "records": _l("Records corrected"),
    "designated_person": _l("Designated person"),
    "directives": _l("Directives"),
}
FIELDS = {
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "company": _l("Company"),
    "phone": _l("Telephone"),
}


def done(outcome):
    """A request's outcome as [(heading, [lines])] in the reader's words: no key or code shown."""
    names = {processing.key: processing.name for processing in register.PROCESSINGS} | FIELDS

    def named(item):  # a processing ("contact"), a field ("phone") or a kind ("rights request")
        return str(names.get(item) or record_kinds.label(item))

    words = []
    for key, value in outcome.items():
        if isinstance(value, dict):  # {processing or kind: count}
            lines = [f"{named(item)}{gettext(':')} {format_number(count)}" for item, count in value.items()]
        elif isinstance(value, list):  # the kinds kept, the fields changed
            lines = [named(item) for item in value]
        else:  # what the person wrote (directives after death)
            lines = [value] if value else []
        words.append((DONE.get(key, key), lines))
    return words


def current_details(email):
    """The details rectification can change, as the newest record holding them has them; {} if none."""
    details = {}
    for _, handlers in register.handlers_of(current_app):
        if handlers.find and handlers.rectify:
            for record in handlers.find(email):  # oldest first: the newest wins
                details = {name: record["fields"].get(name) or "" for name in RECTIFIABLE}
    return details
