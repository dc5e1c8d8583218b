"""billing's pure rules: rating, usage validation, money, periods and due dates."""
from datetime import date

import pytest

from services.billing import bill_runs, rating, usage
from services.billing.queries import past_due
from services.contracts.errors import InvalidInput

GOOD = {"started_at": "2026-10-01T09:00:00-04:00", "from_number": "+12125550147",
        "to_number": "+442071234567", "duration_seconds": 125, "call_type": "international"}


def test_calls_are_charged_per_started_minute():
    assert rating.started_minutes(0) == 0
    assert rating.started_minutes(60) == 1
    assert rating.started_minutes(61) == 2
    assert rating.charge_cents("local", "+13125550100", 3600) == 0
    assert rating.charge_cents("long_distance", "+13125550100", 61) == 10


def test_international_rates_use_the_longest_country_prefix():
    assert rating.international_rate("+442071234567") == 9
    assert rating.international_rate("+353112345678") == 10   # Ireland, not a 3x default
    assert rating.international_rate("+99912345678") == rating.INTERNATIONAL_DEFAULT_CENTS_PER_MINUTE


def test_valid_usage_is_normalised_to_utc_and_rated():
    [row] = usage.validate({"calls": [GOOD]})
    assert row[0].isoformat() == "2026-10-01T13:00:00+00:00"
    assert row[5] == 3 * 9


@pytest.mark.parametrize("field, value", [
    ("started_at", "2026-10-01T09:00:00"), ("started_at", "yesterday"),
    ("from_number", "212-555-0147"), ("to_number", "+0123"), ("duration_seconds", -1),
    ("duration_seconds", 1.5), ("duration_seconds", True), ("call_type", "premium")])
def test_a_bad_call_names_its_field_and_index(field, value):
    with pytest.raises(InvalidInput) as raised:
        usage.validate({"calls": [GOOD, {**GOOD, field: value}]})
    assert list(raised.value.errors["calls"]) == [1]
    assert field in raised.value.errors["calls"][1]


def test_an_empty_or_missing_batch_is_invalid():
    for payload in (None, {}, {"calls": []}, {"calls": "x"}):
        with pytest.raises(InvalidInput):
            usage.validate(payload)


def test_the_period_is_the_month_before_and_the_due_date_21_days_after():
    assert bill_runs.period_start(date(2026, 1, 15)) == date(2025, 12, 15)
    assert bill_runs.due_date(date(2026, 11, 1)) == date(2026, 11, 22)


class _Statement:
    new_charges_cents = 10000
    due_date = date(2026, 11, 22)


def test_only_what_was_due_before_is_past_due():
    assert past_due(15000, _Statement, date(2026, 11, 10)) == 5000
    assert past_due(15000, _Statement, date(2026, 11, 23)) == 15000
    assert past_due(-100, _Statement, date(2026, 11, 23)) == 0
