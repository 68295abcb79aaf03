"""The marketing export (SPEC §6): confirmed subscribers as CSV, streamed, the same for HTTP and CLI.

The rows come from the database 1,000 at a time and leave as text chunks, so memory stays flat
whatever the list's size. Once the last chunk is out, the export is audited with its filters and
the number of rows written (an interrupted download too, marked as such).
"""

import csv
import io
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from koki_site import audit
from koki_site.extensions import db
from koki_site.newsletter.models import Subscription
from koki_site.spreadsheet import safe_cell

COLUMNS = ("email", "language", "subscribed_at", "confirmed_at", "source", "policy_version", "legal_basis")
BATCH = 1000  # rows fetched from the database, and written, at a time
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_filters(language=None, since=None, excel=False):
    """The filters of an export from text (query string or CLI); ValueError if one is malformed."""
    language = language or None
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise ValueError(f"unknown language {language!r}")
    if since:
        if not DAY.fullmatch(since):
            raise ValueError(f"since must be YYYY-MM-DD, not {since!r}")
        since = date.fromisoformat(since)  # ValueError for a day that does not exist
    return {"language": language, "since": since or None, "excel": bool(excel)}


def neutralise(row):
    """The row's cells, each one that a spreadsheet would read as a formula behind a leading quote."""
    return [safe_cell(cell) for cell in row]


def iso_utc(column):
    """A stored moment as ISO 8601 text in UTC, written by the database: far cheaper than in Python."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
    return func.strftime("%Y-%m-%dT%H:%M:%S+00:00", column)  # SQLite keeps UTC moments as text


def start_of_day(day):
    """Midnight of that day where the staff are (as the audit log's filters), in UTC as stored."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time.min, zone).astimezone(UTC)


class SubscriberExport:
    """The CSV text of an export, chunk by chunk; `rows` counts the subscribers written so far."""

    def __init__(self, language=None, since=None, excel=False):
        self.language, self.since, self.excel = language, since, excel
        self.rows = 0

    @property
    def filters(self):
        """The filters as the audit log records them."""
        since = self.since.isoformat() if self.since else None
        return {"language": self.language, "since": since, "format": "excel" if self.excel else "csv"}

    def query(self):
        columns = [getattr(Subscription, name) for name in COLUMNS]
        columns[2:4] = [iso_utc(Subscription.subscribed_at), iso_utc(Subscription.confirmed_at)]
        query = select(*columns).where(
            Subscription.status == "confirmed",
            Subscription.email.is_not(None),
            Subscription.restricted.is_(False),  # restriction or objection (SPEC §7): never exported
        )
        if self.language:
            query = query.where(Subscription.language == self.language)
        if self.since:
            query = query.where(Subscription.subscribed_at >= start_of_day(self.since))
        # yield_per: a server-side cursor on PostgreSQL, batches of rows instead of the whole list.
        return query.order_by(Subscription.id).execution_options(yield_per=BATCH)

    def __iter__(self):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";" if self.excel else ",")  # lines end in CRLF (RFC 4180)
        if self.excel:
            buffer.write("\ufeff")  # the BOM: Excel then reads the file as UTF-8
        writer.writerow(COLUMNS)
        # Core on the session's connection: plain rows, none of the ORM's bookkeeping per row.
        with db.session.connection().execute(self.query()) as result:  # closed if the download stops
            for batch in result.partitions():
                writer.writerows(map(neutralise, batch))
                self.rows += len(batch)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        if buffer.tell():  # no row at all: the header alone
            yield buffer.getvalue()


def audited(export):
    """The export's chunks; once they are out (or the download stops), one audit entry with the count."""
    complete = False
    try:
        yield from export
        complete = True
    finally:
        db.session.rollback()  # end the read (and any failed) transaction before writing the entry
        details = {**export.filters, "rows": export.rows}
        if not complete:
            details["interrupted"] = True
        audit.log("export", target="newsletter", details=details)
        db.session.commit()
