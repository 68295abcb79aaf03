"""The deadlines of a rights request (GDPR Art. 12(3)), by the calendar where the staff work.

One calendar month from the day the request was verified; two more months at most when the DPO
extends it with a reason. 31 January + 1 month is 28 (or 29) February, as periods.Period counts.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from koki_site.core.periods import Period

ANSWER_WITHIN = Period(1, "month")
EXTENSION = Period(2, "month")


def local_day(moment: datetime) -> date:
    """The day a stored (UTC) moment falls on where the staff are (BABEL_DEFAULT_TIMEZONE)."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def today() -> date:
    """Today where the staff are: a deadline is a day there."""
    return local_day(datetime.now(UTC))


def deadline_after(verified_day: date) -> date:
    """The last day to answer: one calendar month after the day the request was verified.

    A moment (the stored verified_at) is first turned into its day where the staff are.
    """
    if isinstance(verified_day, datetime):
        verified_day = local_day(verified_day)
    return ANSWER_WITHIN.after(verified_day)


def extended(deadline: date) -> date:
    """The deadline once extended: two further calendar months."""
    return EXTENSION.after(deadline)


def days_left(deadline: date, on: date | None = None) -> int:
    """Days until the deadline: 0 on the day itself, negative once it has passed."""
    return (deadline - (on or today())).days
