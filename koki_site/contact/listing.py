"""The inbox's lists: filters, pages by position (never OFFSET), counts that never read the table.

A list is what an agent works through: a status, "mine" or "unassigned", a search. It is ordered
newest first by (received_at, id), and a page starts after a message's position in that order, so
the last page costs what the first does (an index range, 26 rows), and the next message after the
one being read is one more such range. Counts per status are kept by the database itself
(contact_status_count, maintained by triggers: migration 0013); a filtered list is counted up to
COUNT_CAP ("more than 1,000").

A search first takes the ids of its matches, at most COUNT_CAP + 1: that is its count, and when
the matches are that few, the list is those ids (a query planner walking the time index in the
hope of finding matches soon would read the whole table for a word that is in no message). When
they are more, matches are common and the walk along time finds a page at once. Which index the
ids come from depends on how common the words are (search.is_common).
"""

from dataclasses import dataclass

from sqlalchemy import select, tuple_

from koki_site.contact import search
from koki_site.contact.models import STATUSES, ContactMessage, ContactStatusCount
from koki_site.extensions import db

PER_PAGE = 25
COUNT_CAP = 1000
ASSIGNMENTS = ("mine", "unassigned")
POSITION = tuple_(ContactMessage.received_at, ContactMessage.id)
NEWEST_FIRST = (ContactMessage.received_at.desc(), ContactMessage.id.desc())
OLDEST_FIRST = (ContactMessage.received_at.asc(), ContactMessage.id.asc())


@dataclass(frozen=True)
class ListState:
    """The filters of the list an agent works through, carried from page to page and message to message."""

    status: str = ""
    assigned: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args):
        status, assigned = args.get("status", ""), args.get("assigned", "")
        return cls(
            status=status if status in STATUSES else "",
            assigned=assigned if assigned in ASSIGNMENTS else "",
            q=args.get("q", "").strip()[:200],
        )

    def params(self):
        """The non-empty filters, as query-string arguments."""
        return {name: value for name, value in vars(self).items() if value}

    def query(self, account_id, matches=None):
        """The list's messages; a search by its ids (matches) when they were few enough to take."""
        query = select(ContactMessage)
        if self.status:
            query = query.where(ContactMessage.status == self.status)
        if self.assigned == "mine":
            query = query.where(ContactMessage.assigned_to_id == account_id)
        elif self.assigned == "unassigned":
            query = query.where(ContactMessage.assigned_to_id.is_(None))
        if matches is not None:
            return query.where(ContactMessage.id.in_(matches))
        condition = search.matching(self.q) if self.q else None
        return query if condition is None else query.where(condition)

    def matches(self, account_id):
        """The ids of the list, up to COUNT_CAP + 1 of them, in no order; None when not filtered further."""
        if not self.assigned and not self.q:
            return None
        query = self.query(account_id).with_only_columns(ContactMessage.id).limit(COUNT_CAP + 1)
        if not self.q:
            return db.session.scalars(query).all()
        if search.is_common(self.q):  # dense: the newest 1,001 come within a short walk along time
            return db.session.scalars(query.order_by(*NEWEST_FIRST)).all()
        with search.from_the_word_index():
            return db.session.scalars(query).all()

    def narrowed(self, account_id, ids=None):
        """The list's query, by the ids of its matches when a search has at most COUNT_CAP of them."""
        if self.q and ids is None:
            ids = self.matches(account_id)
        return self.query(account_id, ids if self.q and len(ids) <= COUNT_CAP else None)


@dataclass
class Page:
    items: list
    newer: bool  # is there a page before this one
    older: bool  # and one after


def position_of(message_id):
    """(received_at, id) of a message, or None when it is gone."""
    row = db.session.execute(
        select(ContactMessage.received_at, ContactMessage.id).where(ContactMessage.id == message_id)
    ).first()
    return tuple(row) if row else None


def page(state, account_id, before=None, after=None, oldest=False, ids=None):
    """A page of the list: the newest; older than message `before`; newer than `after`; or the oldest.

    ids: the list's matches (ListState.matches), when already taken.
    """
    query = state.narrowed(account_id, ids)
    start = position_of(before or after) if (before or after) else None
    if start and before:
        rows = fetch(query.where(start > POSITION).order_by(*NEWEST_FIRST))
        return Page(rows[:PER_PAGE], newer=True, older=len(rows) > PER_PAGE)
    if start and after:
        rows = fetch(query.where(start < POSITION).order_by(*OLDEST_FIRST))
        return Page(rows[:PER_PAGE][::-1], newer=len(rows) > PER_PAGE, older=True)
    if oldest:
        rows = fetch(query.order_by(*OLDEST_FIRST))
        return Page(rows[:PER_PAGE][::-1], newer=len(rows) > PER_PAGE, older=False)
    rows = fetch(query.order_by(*NEWEST_FIRST))
    return Page(rows[:PER_PAGE], newer=False, older=len(rows) > PER_PAGE)


def fetch(query):
    return db.session.scalars(query.limit(PER_PAGE + 1)).all()


def neighbours(state, account_id, message):
    """(newer, older): the ids of the messages around this one in the list, or None at either end."""
    query = state.narrowed(account_id).with_only_columns(ContactMessage.id)
    here = (message.received_at, message.id)
    newer = db.session.scalar(query.where(here < POSITION).order_by(*OLDEST_FIRST).limit(1))
    older = db.session.scalar(query.where(here > POSITION).order_by(*NEWEST_FIRST).limit(1))
    return newer, older


def counts():
    """{status: number of messages}, as the database's triggers keep them."""
    rows = db.session.execute(select(ContactStatusCount.status, ContactStatusCount.messages)).all()
    return {status: number for status, number in rows if number}


def total(state, by_status, ids):
    """(number of messages in the list, whether it is more than that): exact unless filtered further."""
    if ids is None:
        return (by_status.get(state.status, 0) if state.status else sum(by_status.values())), False
    return min(len(ids), COUNT_CAP), len(ids) > COUNT_CAP


def others_from(message, limit=10):
    """The person's other messages (same address, whatever its case), newest first."""
    return db.session.scalars(
        select(ContactMessage)
        .where(ContactMessage.email_key == message.email_key, ContactMessage.id != message.id)
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    ).all()
