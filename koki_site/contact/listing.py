"""The inbox's lists: filters, pages by position (never OFFSET), counts that never read the table.

A list is what an agent works through: a status, "mine" or "unassigned", a search. It is ordered
newest first by (received_at, id), and a page starts after a message's position in that order, so
the last page costs what the first does (an index range, 26 rows), and the next message after the
one being read is one more such range. Counts per status come from the (status, received_at, id)
index; a count of a filtered list stops at COUNT_CAP ("more than 1,000").
"""

from dataclasses import dataclass

from sqlalchemy import func, select, tuple_

from koki_site.contact import search
from koki_site.contact.models import STATUSES, ContactMessage
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

    def query(self, account_id):
        query = select(ContactMessage)
        if self.status:
            query = query.where(ContactMessage.status == self.status)
        if self.assigned == "mine":
            query = query.where(ContactMessage.assigned_to_id == account_id)
        elif self.assigned == "unassigned":
            query = query.where(ContactMessage.assigned_to_id.is_(None))
        condition = search.matching(self.q) if self.q else None
        return query if condition is None else query.where(condition)


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


def page(state, account_id, before=None, after=None, oldest=False):
    """A page of the list: the newest; older than message `before`; newer than `after`; or the oldest."""
    query = state.query(account_id)
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
    query = state.query(account_id).with_only_columns(ContactMessage.id)
    here = (message.received_at, message.id)
    newer = db.session.scalar(query.where(here < POSITION).order_by(*OLDEST_FIRST).limit(1))
    older = db.session.scalar(query.where(here > POSITION).order_by(*NEWEST_FIRST).limit(1))
    return newer, older


def counts():
    """{status: number of messages}, from the index."""
    query = select(ContactMessage.status, func.count()).group_by(ContactMessage.status)
    return dict(db.session.execute(query).all())


def total(state, account_id, by_status):
    """(number of messages in the list, whether it is more than that): exact unless filtered further."""
    if not state.assigned and not state.q:
        return (by_status.get(state.status, 0) if state.status else sum(by_status.values())), False
    capped = state.query(account_id).with_only_columns(ContactMessage.id).limit(COUNT_CAP + 1).subquery()
    number = db.session.scalar(select(func.count()).select_from(capped))
    return min(number, COUNT_CAP), number > COUNT_CAP


def others_from(message, limit=10):
    """The person's other messages (same address, whatever its case), newest first."""
    return db.session.scalars(
        select(ContactMessage)
        .where(ContactMessage.email_key == message.email_key, ContactMessage.id != message.id)
        .order_by(*NEWEST_FIRST)
        .limit(limit)
    ).all()
