"""Retention periods: the one conversion that is not obvious (months to whole days)."""

import pytest

from koki_site.core.periods import Period


@pytest.mark.parametrize(
    ("period", "days"),
    [
        (Period(13, "month"), 395),
        (Period(12, "month"), 365),
        (Period(25, "month"), 760),
        (Period(30, "day"), 30),
    ],
)
def test_days(period, days):
    assert period.days == days


def test_the_consent_cookie_lives_395_days_as_the_spec_says(app):
    with app.app_context():
        assert Period.from_config("CONSENT_COOKIE_MONTHS", "month").days == 395
