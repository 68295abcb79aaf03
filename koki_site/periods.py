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

    def after(self, start: datetime) -> datetime:
        """The moment this period after start, by the calendar: 31 Jan + 1 month = 28/29 Feb."""
        if self.unit == "day":
            return start + timedelta(days=self.value)
        month_index = start.month - 1 + self.value
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return start.replace(year=year, month=month, day=day)
