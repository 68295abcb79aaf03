"""The marketing export: confirmed subscribers as CSV, streamed, the same for HTTP and CLI.

At the database's speed: the query itself writes the dates as text and puts the quote before a
cell a spreadsheet would read as a formula (OWASP), so nothing is left to do per cell in Python.
PostgreSQL writes the CSV too (`COPY (SELECT …) TO STDOUT` through psycopg), streamed block by
block; SQLite writes each line (printf), and Python only joins them 1,000 at a time, checking
that no cell needed quotes (the rare batch where one did is read again, quoted). Memory stays flat
whatever the list's size. Once the last chunk is out, the export is audited with its filters and
the number of rows written (an interrupted download too, marked as such).
"""

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Text, case, cast, func, literal, select

from koki_site.core import audit
from koki_site.core.spreadsheet import FORMULA_STARTS
from koki_site.extensions import db
from koki_site.newsletter.models import Subscription

COLUMNS = ("email", "language", "subscribed_at", "confirmed_at", "source", "policy_version", "legal_basis")
BATCH = 1000  # rows fetched from the database, and written, at a time
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
PLAUSIBLE_YEARS = range(2000, 3000)  # as the audit log's date filters


def parse_filters(language=None, since=None, excel=False):
    """The filters of an export from text (query string or CLI); ValueError if one is malformed."""
    language = language or None
    if language is not None and language not in current_app.config["LANGUAGES"]:
        raise ValueError(f"unknown language {language!r}")
    if since:
        if not DAY.fullmatch(since):
            raise ValueError(f"since must be YYYY-MM-DD, not {since!r}")
        since = date.fromisoformat(since)  # ValueError for a day that does not exist
        if since.year not in PLAUSIBLE_YEARS:  # 0001-01-01 in UTC would fall before year 1
            raise ValueError(
                f"since must be between the years {PLAUSIBLE_YEARS[0]} and {PLAUSIBLE_YEARS[-1]}"
            )
    return {"language": language, "since": since or None, "excel": bool(excel)}


# Cells of text a person or the operator chose; the others are the site's own fixed words
# (language codes, the legal basis) or dates, which can never start like a formula.
GUARDED = ("email", "source", "policy_version")
FORMULA_CODES = sorted(map(ord, FORMULA_STARTS))
DATES = ("subscribed_at", "confirmed_at")


def starts_a_formula(column):
    """SQL: whether a spreadsheet would take the cell for a formula, by its first character's code
    point: one integer test per cell (on PostgreSQL a fifth of the export's time less than a regular
    expression)."""
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    return (func.ascii if postgresql else func.unicode)(column).in_(FORMULA_CODES)


def guarded(column):
    """PostgreSQL: the text of column, behind a leading quote when it starts like a formula."""
    return case((starts_a_formula(column), literal("'").concat(column)), else_=column)


def iso_utc(column):
    """PostgreSQL: a stored moment as ISO 8601 text in UTC, written by the database: far cheaper than
    in Python. The timestamp's own text output, a space made a T: half the cost of to_char."""
    utc = func.date_trunc("second", func.timezone("UTC", column))
    return func.replace(cast(utc, Text), " ", "T").concat("+00:00")


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

    def cells(self):
        """PostgreSQL: {column name: SQL of its cell}, dates as text, guarded text, for COPY."""
        return {
            name: iso_utc(column) if name in DATES else guarded(column) if name in GUARDED else column
            for name, column in ((name, getattr(Subscription, name)) for name in COLUMNS)
        }

    def exported(self, statement):
        """statement restricted to the subscribers this export holds, in order."""
        statement = statement.where(
            Subscription.status == "confirmed",
            Subscription.email.is_not(None),
            Subscription.restricted.is_(False),  # restriction or objection: never exported
        )
        if self.language:
            statement = statement.where(Subscription.language == self.language)
        if self.since:
            statement = statement.where(Subscription.subscribed_at >= start_of_day(self.since))
        return statement.order_by(Subscription.id)

    def query(self):
        # Labelled: COPY's header line is the columns' names.
        return self.exported(select(*(cell.label(name) for name, cell in self.cells().items())))

    def lines_query(self):
        """SQLite: each subscriber's whole CSV line, written by the database, quoted where needed.

        Each cell is built from its column once (SQLite would evaluate a repeated expression as
        many times as it is written): a guarded cell is its mark (a quote before what a spreadsheet
        takes for a formula) and its text, quoted when the text holds the delimiter, a double quote
        or a line break (one GLOB), as the csv module would."""
        needs_quotes = literal(f'*[{self.delimiter}"\r\n]*')
        cells = []
        for name in COLUMNS:
            column = getattr(Subscription, name)
            if name in DATES:  # stored as "2025-01-31 08:30:00.000000", in UTC: cut, not parsed
                day, hour = func.substr(column, 1, 10), func.substr(column, 12, 8)
                cell = day.concat("T").concat(hour).concat("+00:00")
            elif name in GUARDED:
                mark = formula_mark(column)
                quoted = literal('"').concat(mark).concat(func.replace(column, '"', '""')).concat('"')
                cell = case((column.op("GLOB")(needs_quotes), quoted), else_=mark.concat(column))
            else:
                cell = column
            cells.append(func.coalesce(cell, ""))
        line = cells[0]
        for cell in cells[1:]:
            line = line.concat(self.delimiter).concat(cell)
        return self.exported(select(line))

    def plain_lines_query(self):
        """SQLite: each subscriber's line as one printf(), no cell quoted: some 40 % cheaper than
        lines_query(), and what it writes whenever no cell needs quotes (see `plain`)."""
        formats, values = [], []
        for name in COLUMNS:
            column = getattr(Subscription, name)
            if name in DATES:  # as in lines_query(), but a missing date would read "T+00:00"
                formats.append("%.10sT%s+00:00")
                values += [column, func.substr(column, 12, 8)]
            elif name in GUARDED:
                formats.append("%s%s")
                values += [formula_mark(column), column]
            else:
                formats.append("%s")  # printf writes NULL as nothing, as coalesce() does
                values.append(column)
        return self.exported(select(func.printf(self.delimiter.join(formats), *values)))

    @property
    def delimiter(self):
        return ";" if self.excel else ","

    def __iter__(self):
        if self.excel:
            yield "\ufeff"  # the BOM: Excel then reads the file as UTF-8
        if db.session.get_bind().dialect.name == "postgresql":
            yield from self.copied()
        else:
            yield from self.written()

    def copied(self):
        """PostgreSQL writes the CSV: COPY (the query) TO STDOUT, block by block."""
        dialect = db.session.get_bind().dialect  # psycopg's, whose cursor.copy() is used below
        compiled = self.query().compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        options = f"FORMAT csv, HEADER, DELIMITER '{self.delimiter}'"
        statement = f"COPY ({compiled.string}) TO STDOUT WITH ({options})"
        cursor = db.session.connection().connection.driver_connection.cursor()
        with cursor, cursor.copy(statement, compiled.params) as copy:
            # libpq gives COPY's output a row at a time: BATCH rows are joined, then worked on once.
            inside_quotes, pending, header = False, [], 1
            for block in copy:
                pending.append(block)
                if len(pending) > BATCH:  # the header, then BATCH rows; then BATCH rows each time
                    text, inside_quotes, ended = crlf(b"".join(pending).decode(), inside_quotes)
                    self.rows += ended - header
                    pending, header = [], 0
                    yield text
            if pending:
                text, inside_quotes, ended = crlf(b"".join(pending).decode(), inside_quotes)
                self.rows += ended - header
                yield text

    def written(self):
        """SQLite: the lines the database wrote, BATCH at a time, joined: Python only carries them.

        The plain lines are kept when `plain` finds that no cell of the batch needed quotes (nor
        a date was missing); otherwise the same rows are read again, quoted as the csv module
        would (lines_query), in the same read transaction. Lines end in CRLF (RFC 4180)."""
        header = self.delimiter.join(COLUMNS) + "\r\n"  # sent with the first rows
        raw = db.session.connection().connection.driver_connection
        cursor = raw.execute(sqlite_text(self.plain_lines_query()))
        try:
            while batch := cursor.fetchmany(BATCH):
                text = "\r\n".join([line for (line,) in batch])
                if not plain(text, len(batch), self.delimiter):  # the open cursor keeps the snapshot
                    quoted = self.lines_query().offset(self.rows).limit(len(batch))
                    text = "\r\n".join([line for (line,) in raw.execute(sqlite_text(quoted))])
                self.rows += len(batch)
                yield header + text + "\r\n"
                header = ""
        finally:
            cursor.close()  # also when the download stops
        if header:  # no row at all: the header alone
            yield header


def formula_mark(column):
    """SQLite: a quote when the cell starts as a spreadsheet formula would, else nothing."""
    return case((starts_a_formula(column), "'"), else_="")


def sqlite_text(statement):
    """The statement's SQL with its constants written in, not bound: SQLite runs it a little faster."""
    dialect = db.session.get_bind().dialect
    return statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}).string


def plain(text, lines, delimiter):
    """Whether plain lines joined by CRLF are the CSV as the csv module writes it: no cell held the
    delimiter, a double quote or a line break (the counts are exactly the separators), and no date
    was missing. A few scans of the text at C speed, instead of a test per cell in SQL."""
    return (
        '"' not in text
        and text.count("\n") == text.count("\r") == lines - 1
        and text.count(delimiter) == (len(COLUMNS) - 1) * lines
        and f"{delimiter}T+00:00" not in text
    )


def crlf(text, inside_quotes):
    """COPY ends lines in LF; RFC 4180 (and the csv module) in CRLF. A line break inside a quoted
    cell stays as it is. (text, whether it ends inside quotes, how many lines it ended)."""
    parts = text.split('"')
    ended = 0
    for index, part in enumerate(parts):
        if not inside_quotes and "\n" in part:
            ended += part.count("\n")
            parts[index] = part.replace("\n", "\r\n")
        if index < len(parts) - 1:
            inside_quotes = not inside_quotes
    return '"'.join(parts), inside_quotes, ended


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
