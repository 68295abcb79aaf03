"""Mail: an outbox written in the transaction of its data, delivered off the request path.

- outbox.py: the table, `queue()` (in the caller's transaction), what the register needs;
- delivery.py: `deliver()`: claim due mail in one short transaction, talk SMTP with no transaction
  open, record the outcome in another; at least once, with a Message-ID fixed when queued;
- sender.py: one background thread per process, woken when a request has queued mail.

`deliver_queued()`, called after a request commits, never sends from the request's thread
(except MAIL_DELIVERY = "inline", for tests); the worker (`flask worker`) delivers too.
"""

from datetime import UTC, datetime

from flask import current_app, g, url_for
from flask_babel import ngettext
from sqlalchemy import func, inspect, select, update

from koki_site.core import capabilities, register, staff_tasks
from koki_site.extensions import db
from koki_site.mail import outbox
from koki_site.mail.delivery import THREAD_NAME, backoff, deliver, delivered, failed
from koki_site.mail.outbox import OutboxMail, cancel, erase, queue
from koki_site.mail.sender import stop_sender, wake_sender

__all__ = [
    "THREAD_NAME",
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
    "stop_sender",
]


def render_text(template, **context):
    """A mail's text from its template, with or without a request (`flask mail receive` has none):
    the page context processors (language links, the consent banner) are no part of a mail."""
    return current_app.jinja_env.get_template(template).render(config=current_app.config, **context)


def deliver_queued():
    """After the commit: have the mail this request queued delivered, as MAIL_DELIVERY says.

    "background" wakes this process's sender thread; "worker" leaves it to `flask worker`;
    "inline" delivers it before the response (tests read the mailbox at once).
    """
    # The ids were set at the flush; sessions keep them after the commit (expire_on_commit=False).
    # A mail whose transaction was rolled back since (a form another request stored first) is no
    # longer persistent: there is nothing to deliver.
    ids = [mail.id for mail in g.pop("queued_mail", []) if inspect(mail).persistent]
    mode = current_app.config["MAIL_DELIVERY"]
    if not ids or mode in ("worker", "cli"):
        return
    if mode == "inline":
        deliver(ids)
    else:
        wake_sender(current_app._get_current_object())


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
    )
    app.cli.add_command(commands.mail_group)
    app.cli.add_command(worker.worker_command)


def undelivered_task():
    """The staff home (admins): mail given up after MAIL_MAX_ATTEMPTS, kept with its error."""
    failed_mail = db.session.scalar(select(func.count()).where(OutboxMail.next_attempt_at.is_(None)))
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
