"""Logs an operator can read and that hold nothing personal.

The same error repeated (a database away for ten seconds, under load) is written once per
LOG_REPEAT_SECONDS, then once more with the count of those left out.

An exception's message may carry what a visitor typed: a refused recipient's address
(SMTPRecipientsRefused), a database's "Key (email)=(…) already exists", a query's parameters. The
log keeps where it happened (the traceback) and what kind of error it was, never its message.
The development server's access log loses its query strings (`?q=` holds a searched address).
"""

import logging
import threading
import time

from flask import current_app, has_app_context
from sqlalchemy.exc import StatementError

WITHHELD = "details withheld: they may hold personal data"


class RedactedError(Exception):
    """Stands in a log record for an exception whose message is withheld."""


def redacted(error):
    """A stand-in for error: its type (and the driver's), the SQL statement, its traceback."""
    summary = type(error).__name__
    if isinstance(error, StatementError):
        orig = type(error.orig).__name__ if error.orig is not None else None
        summary += f" ({orig})" if orig else ""
        summary += f" in: {error.statement}" if error.statement else ""
    stand_in = RedactedError(f"{summary} [{WITHHELD}]")
    stand_in.__suppress_context__ = True  # the chained causes carry the same message
    return stand_in.with_traceback(error.__traceback__)


class WithholdExceptionMessages(logging.Filter):
    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None and record.exc_info[0] is not RedactedError:
            stand_in = redacted(record.exc_info[1])
            record.exc_info = (RedactedError, stand_in, stand_in.__traceback__)
            record.exc_text = None
        return True


class OncePerInterval(logging.Filter):
    """An error already written within the interval is counted, not written; the next one says how many."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.seen = {}  # key -> [first time written, how many left out since]

    def filter(self, record):
        # The app's setting, read each time: every app of a process shares this filter.
        seconds = current_app.config["LOG_REPEAT_SECONDS"] if has_app_context() else 60
        if record.levelno < logging.WARNING or not seconds:
            return True
        kind = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else None
        key = (record.pathname, record.lineno, record.msg, kind)
        now = time.monotonic()
        with self.lock:
            entry = self.seen.get(key)
            if entry is not None and now - entry[0] < seconds:
                entry[1] += 1
                return False
            left_out = entry[1] if entry else 0
            self.seen[key] = [now, 0]
            if len(self.seen) > 1000:  # distinct errors are few; keep the table small anyway
                self.seen = {key: self.seen[key]}
        if left_out:
            record.msg = f"{record.msg} (and {left_out} more like it since)"
        return True


class DropQueryStrings(logging.Filter):
    """werkzeug logs '"GET /path?query HTTP/1.1" 200 -': keep the path."""

    def filter(self, record):
        if record.args and isinstance(record.args, tuple) and isinstance(record.args[0], str):
            line = record.args[0]
            method, _, rest = line.partition(" ")
            target, _, protocol = rest.rpartition(" ") if rest.count(" ") else (rest, "", "")
            if "?" in target:
                record.args = (f"{method} {target.partition('?')[0]} {protocol}".strip(), *record.args[1:])
        return True


def add_once(logger, log_filter):
    """Every app of a process shares its loggers (tests make many apps): one filter of each kind."""
    if not any(isinstance(present, type(log_filter)) for present in logger.filters):
        logger.addFilter(log_filter)


def init_app(app):
    add_once(app.logger, OncePerInterval())
    add_once(app.logger, WithholdExceptionMessages())
    add_once(logging.getLogger("werkzeug"), DropQueryStrings())
