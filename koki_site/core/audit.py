"""The staff audit log: who did what, when. References only, never a visitor's data.

What the DPO reads is in words: each capability names its actions, the kinds of record its
targets name ("message:KOKI-2026-00042") with the page that shows one, and the keys of its
details, when its blueprint is registered (`describe`); the log page asks here (`explain`).
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import has_request_context, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from koki_site.core import capabilities, record_kinds, register
from koki_site.core.batches import expiring_rows
from koki_site.core.models import AuditEntry
from koki_site.core.periods import Period
from koki_site.extensions import db


def log(action, target=None, details=None, actor=None):
    """Add an entry to the current transaction: it is kept only if the action itself is."""
    actor_id = None
    if actor is None:
        if has_request_context() and current_user.is_authenticated:
            actor_id, actor = current_user.id, current_user.email
        else:
            actor = "cli"
    entry = AuditEntry(
        at=datetime.now(UTC),
        actor_id=actor_id,
        actor=actor,
        action=action,
        target=target,
        details=json.dumps(details, sort_keys=True, default=str) if details is not None else None,
    )
    db.session.add(entry)
    return entry


def init_app(app):
    capabilities.provide(
        app,
        handlers={"audit": register.Handlers(purge=purge, due=due)},
        audit_words={
            "actions": {"purge": _l("Purge of expired data")},
            "details": {**CORE_DETAILS, **record_kinds.LABELS},
        },
    )


ACTORS = {
    "cli": _l("Command line"),
    "visitor": _l("The visitor"),
    "unknown": _l("Unknown address"),
    "system": _l("The site"),
    "mail": _l("Incoming mail"),
}
CORE_DETAILS = {"as_of": _l("as of"), "reason": _l("reason"), "change": _l("change")}


@dataclass(frozen=True)
class TargetKind:
    label: object  # "Message", "Rights request"
    endpoint: str | None = None  # the page of one, given the target's value as `value_arg`
    value_arg: str = "reference"
    roles: tuple = ()  # who may open that page; others see the name without the link
    name: object = None  # name(value) -> what to show instead of the value (an account's address)


def words():
    """{"actions", "targets", "details", "explain": {name: words}}, as the capabilities gave them:
    targets are TargetKind, explain(details) -> [(label, text)] where the details need more than
    their keys."""
    return capabilities.provided().audit_words


def action_label(action):
    return words()["actions"].get(action, action)


def actor_label(actor):
    return ACTORS.get(actor, actor)


def target_of(target, roles):
    """(kind's label, what to show, link or None) of a target such as "rights:KOKI-R-2026-00007"."""
    kind, _, value = (target or "").partition(":")
    found = words()["targets"].get(kind)
    if found is None:
        return "", target or "", None
    if not value:
        return found.label, "", None
    shown = found.name(value) if found.name else value
    allowed = not found.roles or set(found.roles) & set(roles)
    link = url_for(found.endpoint, **{found.value_arg: value}) if found.endpoint and allowed else None
    return found.label, shown or value, link


def details_of(entry):
    """The entry's details as (label, text) pairs; text that is not JSON, as it is."""
    if not entry.details:
        return []
    try:
        details = json.loads(entry.details)
    except ValueError:
        return [("", entry.details)]
    if not isinstance(details, dict):
        return [("", plain(details))]
    explain = words()["explain"].get(entry.action)
    if explain is not None:
        return explain(details)
    return [(key_label(key), plain(value)) for key, value in details.items()]


def key_label(key):
    return record_kinds.LABELS.get(key) or words()["details"].get(key) or key.replace("_", " ")


def plain(value):
    if isinstance(value, dict):
        return ", ".join(f"{key_label(key)}: {plain(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(plain(item) for item in value)
    return "—" if value is None else str(value)


# Entries are kept AUDIT_RETENTION_MONTHS, then purged (through the register).
purge, due = expiring_rows(
    "audit entries", AuditEntry, AuditEntry.at, lambda: Period.from_config("AUDIT_RETENTION_MONTHS", "month")
)
