"""What the capabilities give the core: each capability's init_app calls `provide` once.

The core never imports a capability (the import contracts check it); it reads here what they gave:

- handlers: {processing key: register.Handlers}, what a capability does with the records of its
  processing (purge, due, track, find, erase, restrict, rectify, withdraw, addresses, present):
  the purge, the rights and a restored backup's replay go through them (core/register.py);
- tasks: {role: provider}, provider() -> [staff_tasks.Task]: what waits, on the staff home;
- jobs: [jobs.Job], run daily at their hour by `flask worker` (core/jobs.py);
- mail_receivers: [receiver(token, incoming) -> "filed" | "duplicate" | None], asked in turn by
  `flask mail receive` for a mail sent to a reply address (mail/inbound.py);
- audit_words: {"actions", "targets", "details", "explain": {name: words}}, how the audit log
  names what the capability does (core/audit.py);
- figures: [metrics.Figure], what supervision reads of it at GET /metrics, read from the database
  at each scrape (core/metrics.py).

Events stay blinker signals (a mail delivered or failed, a consent decision made): those are
things that happen, these are things a capability is.
"""

from dataclasses import dataclass, field

from flask import current_app

AUDIT_WORD_KINDS = ("actions", "targets", "details", "explain")


@dataclass
class Provided:
    handlers: dict = field(default_factory=dict)
    tasks: list = field(default_factory=list)  # (role, provider), in the order given
    jobs: dict = field(default_factory=dict)  # name: job
    mail_receivers: list = field(default_factory=list)
    audit_words: dict = field(default_factory=lambda: {kind: {} for kind in AUDIT_WORD_KINDS})
    figures: list = field(default_factory=list)


def provide(app, *, handlers=None, tasks=None, jobs=(), mail_receivers=(), audit_words=None, figures=()):
    """Add what one capability gives to what this app has been given."""
    given = provided(app)
    for key, processing_handlers in (handlers or {}).items():
        assert key not in given.handlers, f"{key}: handlers provided twice"
        given.handlers[key] = processing_handlers
    given.tasks.extend((tasks or {}).items())
    given.jobs.update((job.name, job) for job in jobs)
    given.mail_receivers.extend(mail_receivers)
    for kind, words in (audit_words or {}).items():
        given.audit_words[kind].update(words)
    given.figures.extend(figures)


def provided(app=None):
    """What the capabilities gave this app (the current one by default)."""
    return (app or current_app).extensions.setdefault("koki_site", Provided())
