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

from sqlalchemy import event, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import TSVECTOR

from koki_site import addresses
from koki_site.contact.models import ContactMessage
from koki_site.extensions import db

WORD = re.compile(r"[^\W_]+")
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})
MAX_WORDS = 8  # a pasted paragraph is not a search; the first words are plenty
SEARCHED = ("first_name", "last_name", "email", "company", "message")
FTS_TABLE = "contact_message_fts"  # SQLite
VECTOR = literal_column("contact_message.search_vector", TSVECTOR)  # PostgreSQL


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
