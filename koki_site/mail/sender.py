"""One sender thread per process, woken when a request has queued mail (MAIL_DELIVERY = background).

The request's thread only sets an event: it never waits on SMTP. The thread delivers what is due,
then sleeps until woken again, or MAIL_POLL_SECONDS while mail waits for another attempt. One
thread per process bounds delivery: a hanging SMTP server holds it, nothing else.
"""

import threading

from sqlalchemy import exists, select

from koki_site.extensions import db
from koki_site.mail.delivery import THREAD_NAME, deliver
from koki_site.mail.outbox import OutboxMail

EXTENSION = "koki_mail_sender"
WAITING = OutboxMail.next_attempt_at.is_not(None)  # mail to try again later (None: given up)


class Sender:
    def __init__(self, app):
        self.app = app
        self.woken = threading.Event()
        self.stopping = False
        self.thread = threading.Thread(target=self.run, name=THREAD_NAME, daemon=True)

    def run(self):
        waiting = True
        while not self.stopping:
            self.woken.wait(self.app.config["MAIL_POLL_SECONDS"] if waiting else None)
            self.woken.clear()
            if self.stopping:
                break
            with self.app.app_context():
                try:
                    deliver(until=lambda: self.stopping)  # stop() waits for the mail in hand only
                    waiting = db.session.scalar(
                        select(exists().where(OutboxMail.next_attempt_at.is_not(None)))
                    )
                except Exception:  # a thread has nobody to tell but the log; the mail stays queued
                    self.app.logger.exception("background mail delivery failed")
                    waiting = True
                finally:
                    db.session.remove()

    def stop(self):
        self.stopping = True
        self.woken.set()
        self.thread.join(timeout=self.app.config["MAIL_TIMEOUT"] + 5)


_lock = threading.Lock()


def wake_sender(app):
    """Start this process's sender on first use, and have it deliver what is due."""
    with _lock:
        sender = app.extensions.get(EXTENSION)
        if sender is None or not sender.thread.is_alive():
            sender = app.extensions[EXTENSION] = Sender(app)
            sender.thread.start()
    sender.woken.set()


def stop_sender(app):
    """Let the sender finish the mail in hand and stop (tests, a graceful shutdown)."""
    with _lock:
        sender = app.extensions.pop(EXTENSION, None)
    if sender is not None:
        sender.stop()
