"""Mail: an outbox written in the transaction of its data, delivered off the request path.

- outbox.py: the table, `queue()` (in the caller's transaction), what the register needs;
- delivery.py: `deliver()`: claim due mail in one short transaction, talk SMTP with no transaction
  open, record the outcome in another (held until the database answers); a Message-ID fixed when
  queued, for the mail a dead worker leaves to go again;
- worker.py: `flask worker`, which delivers the outbox within seconds and runs the daily jobs.

No page waits on SMTP: the request only queues its mail, the worker sends it within seconds.
`deliver_queued()`, called after a request commits, delivers it there only for tests
(MAIL_DELIVERY = "inline").
"""

from datetime import UTC, datetime

from flask import current_app, g, url_for
from flask_babel import ngettext
from sqlalchemy import inspect, update

from koki_site.core import capabilities, metrics, register, staff_tasks
from koki_site.extensions import db
from koki_site.mail import outbox
from koki_site.mail.delivery import backoff, deliver, delivered, failed
from koki_site.mail.outbox import WRITTEN_BY_A_PERSON, OutboxMail, cancel, erase, queue

__all__ = [
    "WRITTEN_BY_A_PERSON",
    "OutboxMail",
    "backoff",
    "cancel",
    "deliver",
    "deliver_queued",
    "delivered",
    "erase",
    "failed",
    "init_app",
    "queue",
    "render_text",
    "retry",
]


def render_text(template, **context):
    """A mail's text from its template, with or without a request (`flask mail receive` has none):
    the page context processors (language links, the consent banner) are no part of a mail."""
    return current_app.jinja_env.get_template(template).render(config=current_app.config, **context)


def deliver_queued():
    """After the commit: with MAIL_DELIVERY = "inline" (tests), deliver the mail this request queued
    before the response, so that tests read the mailbox at once; else `flask worker` sends it."""
    # The ids were set at the flush; sessions keep them after the commit (expire_on_commit=False).
    # A mail whose transaction was rolled back since (a form another request stored first) is no
    # longer persistent: there is nothing to deliver.
    ids = [mail.id for mail in g.pop("queued_mail", []) if inspect(mail).persistent]
    if ids and current_app.config["MAIL_DELIVERY"] == "inline":
        deliver(ids)


def init_app(app):
    from koki_site.mail import commands, worker  # they import this package: loaded once it is

    capabilities.provide(
        app,
        handlers={
            outbox.PROCESSING: register.Handlers(
                purge=outbox.purge, due=outbox.due, erase=outbox.erase, addresses=outbox.addresses_held
            )
        },
        tasks={"admin": undelivered_task},
        figures=[
            metrics.Figure("koki_outbox_mails", "Mails waiting in the outbox to deliver.", outbox.waiting),
            metrics.Figure(
                "koki_outbox_oldest_mail_age_seconds",
                "Seconds since the oldest mail waiting in the outbox was written; 0 when none waits.",
                outbox.oldest_waiting_age,
            ),
            metrics.Figure(
                "koki_outbox_failed_mails",
                "Mails given up after MAIL_MAX_ATTEMPTS, kept in the outbox with their error.",
                outbox.given_up,
            ),
        ],
    )
    app.cli.add_command(commands.mail_group)
    app.cli.add_command(worker.worker_command)


def undelivered_task():
    """The staff home (admins): mail given up after MAIL_MAX_ATTEMPTS, kept with its error."""
    failed_mail = outbox.given_up()
    if not failed_mail:
        return []
    text = ngettext(
        "%(count)s mail could not be delivered",
        "%(count)s mails could not be delivered",
        failed_mail,
        count=failed_mail,
    )
    return [staff_tasks.Task(text, url_for("staff.outbox"), urgent=True, count=failed_mail)]


def retry(ids):
    """Try these mails again now, from their first attempt, once the request commits."""
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(ids))
        .values(next_attempt_at=datetime.now(UTC), attempts=0)
        .execution_options(synchronize_session=False)
    )
    g.setdefault("queued_mail", []).extend(db.session.get(OutboxMail, mail_id) for mail_id in ids)
