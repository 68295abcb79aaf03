"""Retention periods: read from configuration, stated on the policy pages, enforced by the code."""

from dataclasses import dataclass

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
