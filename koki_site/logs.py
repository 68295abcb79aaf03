"""Logs an operator can read and that hold nothing personal.

An exception's message may carry what a visitor typed: a refused recipient's address
(SMTPRecipientsRefused), a database's "Key (email)=(…) already exists", a query's parameters. The
log keeps where it happened (the traceback) and what kind of error it was, never its message.
The development server's access log loses its query strings (`?q=` holds a searched address).
"""

import logging

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
    add_once(app.logger, WithholdExceptionMessages())
    add_once(logging.getLogger("werkzeug"), DropQueryStrings())
