"""Logs an operator can read and that hold nothing personal.

The same error repeated (a database away for ten seconds, under load) is written once per
LOG_REPEAT_SECONDS, then once more with the count of those left out.

An exception's message may carry what a visitor typed: a refused recipient's address
(SMTPRecipientsRefused), a database's "Key (email)=(…) already exists", a query's parameters. The
log keeps where it happened (the traceback) and what kind of error it was, never its message.
The app's own errors (AppError) say what is wrong in our words, and those are written: only the
values they carry from data are withheld. A Notice, something the operator turns on in the
configuration, is said once, as a warning, without a traceback: it is no fault of the code.
The development server's access log loses its query strings (`?q=` holds a searched address).
"""

import logging
import threading
import time

from flask import current_app, has_app_context
from sqlalchemy.exc import StatementError

WITHHELD = "details withheld: they may hold personal data"
WITHHELD_VALUE = "[withheld]"
NOTICES_TOLD = "koki_notices_told"


class AppError(Exception):
    """An error in the app's own words, written to the log as they are.

    Like a log call, the message is a template and its values: the template is the code's own
    text (an f-string of the code's constants and settings at most); what comes from a visitor, a
    file or another program goes in the values, which str() shows (a terminal, a page) and the log
    withholds.
    """

    def __init__(self, template, *values):
        super().__init__(template, *values)
        self.template, self.values = template, values

    def __str__(self):
        return self.template % self.values if self.values else self.template

    def logged(self):
        """The message with its values withheld."""
        return self.template % ((WITHHELD_VALUE,) * len(self.values)) if self.values else self.template


class Notice(AppError):
    """Something off by configuration, which the operator may turn on: said once, as a warning."""


class RedactedError(Exception):
    """Stands in a log record for an exception: what of it the log may show."""


def redacted(error):
    """A stand-in for error: its type (and the driver's), the SQL statement, our words, its traceback."""
    summary = type(error).__name__
    if isinstance(error, AppError):
        summary += f": {error.logged()}"
    elif isinstance(error, StatementError):
        orig = type(error.orig).__name__ if error.orig is not None else None
        summary += f" ({orig})" if orig else ""
        summary += f" in: {error.statement}" if error.statement else ""
    # Our own words need no warning; the causes they were raised from are cut all the same.
    stand_in = RedactedError(summary if isinstance(error, AppError) else f"{summary} [{WITHHELD}]")
    stand_in.__suppress_context__ = True  # the chained causes carry the same message
    return stand_in.with_traceback(error.__traceback__)


class WithholdExceptionMessages(logging.Filter):
    def filter(self, record):
        if record.exc_info and record.exc_info[1] is not None and record.exc_info[0] is not RedactedError:
            stand_in = redacted(record.exc_info[1])
            record.exc_info = (RedactedError, stand_in, stand_in.__traceback__)
            record.exc_text = None
        return True


class NoticesOnce(logging.Filter):
    """A record carrying a Notice becomes a warning in words, once per app: no traceback, no repeat.

    Once per app, which is once per process outside the tests (they make an app each).
    """

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.told = set()  # with no app at hand

    def filter(self, record):
        notice = record.exc_info[1] if record.exc_info else None
        if not isinstance(notice, Notice):
            return True
        words = notice.logged()
        told = current_app.extensions.setdefault(NOTICES_TOLD, set()) if has_app_context() else self.told
        with self.lock:
            if words in told:
                return False
            told.add(words)
        record.msg, record.args = f"{record.getMessage()}: {words}", None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
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
    add_once(app.logger, NoticesOnce())  # before the next one, which replaces the exception
    add_once(app.logger, WithholdExceptionMessages())
    add_once(logging.getLogger("werkzeug"), DropQueryStrings())
