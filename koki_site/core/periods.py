"""Retention periods: read from configuration, stated on the policy pages, enforced by the code."""

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Period:
    """A number of calendar months or of days."""

    value: int
    unit: str  # "month" or "day"

    @classmethod
    def from_config(cls, key, unit):
        return cls(int(current_app.config[key]), unit)

    @property
    def days(self):
        """Whole days, a month counted as an average month: 13 months are 395 days."""
        return self.value if self.unit == "day" else int(self.value * DAYS_PER_MONTH)

    def before(self, moment: datetime) -> datetime:
        """The moment this period before, by the calendar: 31 March - 1 month = 28/29 February."""
        return self.after(moment, sign=-1)

    def after(self, moment: datetime, sign=1) -> datetime:
        """The moment this period after, by the calendar: 31 January + 1 month = 28/29 February."""
        if self.unit == "day":
            return moment + sign * timedelta(days=self.value)
        index = moment.month - 1 + sign * self.value
        year, month = moment.year + index // 12, index % 12 + 1
        return moment.replace(
            year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
        )
