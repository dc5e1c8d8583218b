"""Usage alerts' rules on plain data: the cycle a day falls in (the period the next bill run
bills), which thresholds usage has reached, the bill-shock baseline (none before three
statements) and its exact 150 % comparison, and the settings' contract (order, duplicates,
bounds)."""
from datetime import date, timedelta

import pytest

from services import contracts
from services.billing import bill_runs
from services.billing.usage_alerts import baseline, crossed, cycle, is_bill_shock
from services.contracts.errors import InvalidInput
from services.contracts.usage_alerts import UsageAlerts


@pytest.mark.parametrize("today, day, expected", [
    (date(2026, 11, 20), 1, (date(2026, 11, 1), date(2026, 12, 1))),
    (date(2026, 12, 4), 15, (date(2026, 11, 15), date(2026, 12, 15))),
    (date(2026, 12, 15), 15, (date(2026, 12, 15), date(2027, 1, 15))),  # billed today
    (date(2026, 12, 14), 15, (date(2026, 11, 15), date(2026, 12, 15))),
    (date(2026, 12, 31), 28, (date(2026, 12, 28), date(2027, 1, 28))),
    (date(2027, 1, 1), 1, (date(2027, 1, 1), date(2027, 2, 1))),
])
def test_the_cycle_is_the_period_the_next_bill_run_bills(today, day, expected):
    assert cycle(today, day) == expected


def test_every_day_of_a_year_is_in_exactly_the_cycle_its_statement_bills():
    for day in (1, 14, 28):
        today = date(2026, 1, 1)
        while today.year == 2026:
            start, end = cycle(today, day)
            assert end.day == day and start <= today < end
            assert start == bill_runs.period_start(end)
            today += timedelta(days=1)


def test_a_threshold_is_crossed_when_usage_reaches_it():
    assert crossed([100, 500, 900], 499) == [100]
    assert crossed([100, 500, 900], 500) == [100, 500]
    assert crossed([], 10_000) == [] and crossed([100], 0) == []


def test_no_baseline_before_three_statements_or_when_they_had_no_usage():
    assert baseline([]) is None and baseline([900, 1800]) is None
    assert baseline([0, 0, 0]) is None
    assert baseline([2700, 1800, 900]) == 1800
    assert baseline([1, 1, 0]) == 1  # 0.67 rounds half up to 1
    assert baseline([2700, 1800, 900, 50_000]) == 1800  # the last three only


def test_bill_shock_is_strictly_above_150_percent_compared_exactly():
    last = [2700, 1800, 900]  # average 1800: shock above 2700
    assert not is_bill_shock(last, 2700) and is_bill_shock(last, 2701)
    # an average that does not divide: 1 + 1 + 0 averages 0.67, 150 % of it is 1
    assert not is_bill_shock([1, 1, 0], 1) and is_bill_shock([1, 1, 0], 2)
    assert not is_bill_shock([900, 1800], 1_000_000)  # too few statements
    assert not is_bill_shock([0, 0, 0], 1_000_000)


def test_settings_are_kept_in_order_each_amount_once():
    assert contracts.load(UsageAlerts, {"thresholds_cents": [500, 100, 500],
                                        "bill_shock": False}) == {
        "thresholds_cents": [100, 500], "bill_shock": False}
    assert contracts.load(UsageAlerts, {"thresholds_cents": [], "bill_shock": True}) == {
        "thresholds_cents": [], "bill_shock": True}


@pytest.mark.parametrize("body, field", [
    ({"thresholds_cents": [0], "bill_shock": True}, "thresholds_cents"),
    ({"thresholds_cents": [10_000_001], "bill_shock": True}, "thresholds_cents"),
    ({"thresholds_cents": list(range(1, 12)), "bill_shock": True}, "thresholds_cents"),
    ({"thresholds_cents": [True], "bill_shock": True}, "thresholds_cents"),
    ({"thresholds_cents": "100", "bill_shock": True}, "thresholds_cents"),
    ({"thresholds_cents": [100], "bill_shock": 1}, "bill_shock"),
    ({"bill_shock": True}, "thresholds_cents"),
])
def test_bad_settings_name_the_field(body, field):
    with pytest.raises(InvalidInput) as refused:
        contracts.load(UsageAlerts, body)
    assert field in refused.value.errors
