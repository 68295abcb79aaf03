"""Inbox search, one function for SQLite and PostgreSQL: every word typed starts a word of the message.

What is searched is `search_text`: name, address, company and text, lower-cased, accents and
ligatures folded in Python ("Élodie" → "elodie", "cœur" → "coeur"), punctuation turned into spaces.
Folding here rather than with PostgreSQL's `unaccent` makes both databases see the same words, and
needs no extension. The query gets the same folding, and each of its words is a prefix: "démo"
finds "démonstration", "LINUS@exam" finds "linus@example.org".

- PostgreSQL: a generated `tsvector` column (migration 0013) holds the words ("simple"
  configuration) and their French and English stems, under a GIN index; the query is
  `word:*` for each word, or its stem, so "interventions" also finds "intervention" there.
- SQLite: an FTS5 table over `search_text` (external content, kept by triggers), `"word"*`.

The columns and tables that only one database has are not in the models: migrations/env.py
leaves them out of `flask db check`.
"""

import re
import unicodedata
from contextlib import contextmanager

from sqlalchemy import event, func, literal_column, select, text

from koki_site.contact.models import ContactMessage
from koki_site.core import addresses
from koki_site.extensions import db

WORD = re.compile(r"[^\W_]+")
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
MAX_WORDS = 8  # a pasted paragraph is not a search; the first words are plenty
SEARCHED = ("first_name", "last_name", "email", "company", "message")
FTS_TABLE = "contact_message_fts"  # SQLite
# PostgreSQL; untyped, as the @@ operator needs no more, so that no command imports its dialect at start
VECTOR = literal_column("contact_message.search_vector")


def fold(value):
    """The words of value, lower-cased and without accents, separated by one space."""
    decomposed = unicodedata.normalize("NFKD", value.casefold().translate(LIGATURES))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(WORD.findall(plain))


def document(message):
    return fold(" ".join(getattr(message, name) or "" for name in SEARCHED))


@event.listens_for(ContactMessage, "before_insert")
@event.listens_for(ContactMessage, "before_update")
def keep_derived_columns(mapper, connection, message):
    """search_text and email_key follow the message, whoever changes it (the form, a rectification)."""
    message.search_text = document(message)
    message.email_key = addresses.normalise(message.email or "")


def words(query):
    return fold(query).split()[:MAX_WORDS]


def matching(query):
    """SQL: the message holds every word of query (as the start of one of its words); None if no word."""
    terms = words(query)
    if not terms:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        return VECTOR.bool_op("@@")(postgresql_query(terms))
    match = " AND ".join(f'"{term}"*' for term in terms)  # terms are letters and digits only
    matches = text(f"{FTS_TABLE} MATCH :match").bindparams(match=match)
    return ContactMessage.id.in_(select(literal_column("rowid")).select_from(text(FTS_TABLE)).where(matches))


def postgresql_query(terms):
    """Each term as a prefix of a word, or as its French or English stem; all terms together."""
    query = None
    for term in terms:
        either = (
            func.to_tsquery(literal_column("'simple'"), f"{term}:*")
            .op("||")(func.to_tsquery(literal_column("'french'"), term))
            .op("||")(func.to_tsquery(literal_column("'english'"), term))
        )
        query = either if query is None else query.op("&&")(either)
    return query


COMMON = 0.10  # a search matching this share of the messages or more is "common"
ESTIMATE = text(
    "EXPLAIN (FORMAT JSON) SELECT 1 FROM contact_message"
    " WHERE contact_message.search_vector @@ to_tsquery('simple', :q)"
)


def is_common(query):
    """Whether the words of query are in COMMON or more of the messages, by PostgreSQL's statistics.

    Taking a common word's matches from the GIN index costs in proportion to all of them (a bitmap
    of 47,000 messages for "bonjour" at 100,000: 30 to 60 ms), while walking the messages by time
    finds a page, or the first 1,001 for a count, within a few thousand rows. A rare word is the
    reverse. The planner's estimate (EXPLAIN, from the column's statistics: no row is read) tells
    which: with the words' prefixes, within a few percent of the truth at 100,000 messages. On
    SQLite, FTS5 answers either from its own index, and this is always False.
    """
    terms = words(query)
    if db.session.get_bind().dialect.name != "postgresql" or not terms:
        return False
    # The prefixes alone: the stems find about the same messages, and the estimate of their sum is
    # far too high. The query's text is a bound parameter; the statement itself is constant.
    prefixes = " & ".join(f"{term}:*" for term in terms)
    plan = db.session.execute(ESTIMATE, {"q": prefixes}).scalar()[0]["Plan"]
    total = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'contact_message'"))
    return bool(total and total > 0 and plan["Plan Rows"] / total >= COMMON)


@contextmanager
def from_the_word_index():
    """PostgreSQL: the statements inside take their matches from the GIN index, never row by row.

    Asked for the first 1,001 matches of a word, the planner may read the table in order and test
    every row, expecting to find enough soon; a tsvector is large (stored apart, TOAST) and the
    test far dearer than its cost model says, so a word in 4 % of 100,000 messages took 80 ms that
    way, against 1 ms through the index. Sequential scans are off for those statements only.
    """
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    if postgresql:
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
    try:
        yield
    finally:
        if postgresql:
            db.session.execute(text("RESET enable_seqscan"))
