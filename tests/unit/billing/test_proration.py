"""Proration by whole days (billing/proration.py): the one rounding (integer cents, half up),
the period's actual length (28, 29, 30, 31 days), and a credit and a charge of the same
quantity netting to zero."""
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from services.billing import proration
from services.billing.proration import Period, lines_for, next_cycle_date, prorate


def test_a_half_cent_rounds_up_and_less_rounds_down():
    assert prorate(1, 1, 2) == 1        # 0.5 -> 1
    assert prorate(3, 1, 2) == 2        # 1.5 -> 2
    assert prorate(100, 1, 3) == 33     # 33.33 -> 33
    assert prorate(200, 1, 3) == 67     # 66.67 -> 67


@pytest.mark.parametrize("monthly, left, days, cents", [
    (2999, 14, 28, 1500),    # February 2027: 14/28 of $29.99 = 1499.5 -> $15.00
    (2999, 14, 29, 1448),    # February 2028 (leap): 1447.79 -> $14.48
    (2999, 17, 31, 1645),    # a 31-day period: 1644.61 -> $16.45
    (2999, 15, 30, 1500),    # a 30-day period: 1499.5 -> $15.00
    (2999, 31, 31, 2999),    # the whole period: the whole price
    (2999, 0, 31, 0),        # on the period's last boundary: nothing left
])
def test_the_fraction_is_days_left_over_the_periods_actual_length(monthly, left, days, cents):
    assert prorate(monthly, left, days) == cents


def test_february_and_31_day_periods_have_their_real_lengths():
    assert Period(date(2027, 2, 1), next_cycle_date(date(2027, 2, 1), 1)).days == 28
    assert Period(date(2028, 2, 1), next_cycle_date(date(2028, 2, 1), 1)).days == 29
    assert Period(date(2026, 12, 15), next_cycle_date(date(2026, 12, 15), 15)).days == 31
    assert Period(date(2026, 11, 15), next_cycle_date(date(2026, 11, 15), 15)).days == 30


def test_the_next_cycle_date_is_strictly_after_and_rolls_over_the_year():
    assert next_cycle_date(date(2026, 12, 15), 15) == date(2027, 1, 15)
    assert next_cycle_date(date(2026, 12, 14), 15) == date(2026, 12, 15)
    assert next_cycle_date(date(2027, 1, 31), 28) == date(2027, 2, 28)


def test_prorate_refuses_what_has_no_meaning():
    for args in [(-1, 1, 30), (100, 31, 30), (100, -1, 30), (100, 0, 0)]:
        with pytest.raises(ValueError):
            prorate(*args)


def test_a_change_credits_the_old_quantity_and_charges_the_new_for_the_days_left():
    period = Period(date(2026, 12, 15), date(2027, 1, 15))
    credit, charge = lines_for("VOICE-LINE", 2, 3, 2999, period, date(2026, 12, 29))
    assert (credit.kind, credit.quantity, credit.amount_cents) == ("credit", 2, -3289)
    assert (charge.kind, charge.quantity, charge.amount_cents) == ("charge", 3, 4934)
    assert credit.start == charge.start == date(2026, 12, 29)
    assert credit.end == charge.end == date(2027, 1, 15)


def test_a_removal_is_a_credit_alone_and_an_addition_a_charge_alone():
    period = Period(date(2026, 12, 15), date(2027, 1, 15))
    assert [l.kind for l in lines_for("STATIC-IP-1", 1, 0, 1499, period, date(2027, 1, 1))] \
        == ["credit"]
    assert [l.kind for l in lines_for("STATIC-IP-1", 0, 1, 1499, period, date(2027, 1, 1))] \
        == ["charge"]
    assert lines_for("STATIC-IP-1", 1, 1, 1499, period, date(2027, 1, 1)) == []
    assert lines_for("STATIC-IP-1", 1, 2, 1499, period, date(2027, 1, 15)) == []


@given(monthly=st.integers(0, 10_000_000), quantity=st.integers(0, 999),
       start=st.dates(date(2000, 1, 1), date(2099, 11, 1)), cycle_day=st.integers(1, 28),
       offset=st.integers(0, 31))
def test_a_credit_and_a_charge_of_an_unchanged_quantity_net_to_zero(
        monthly, quantity, start, cycle_day, offset):
    start = start.replace(day=cycle_day)
    period = Period(start, next_cycle_date(start, cycle_day))
    effective = min(start + timedelta(days=offset), period.end)
    left = period.days_left(effective)
    credit = -prorate(quantity * monthly, left, period.days)
    charge = prorate(quantity * monthly, left, period.days)
    assert credit + charge == 0
    assert 0 <= charge <= quantity * monthly


@given(monthly=st.integers(0, 1_000_000), left=st.integers(0, 31), days=st.integers(28, 31))
def test_the_rounding_is_within_half_a_cent_of_the_exact_fraction(monthly, left, days):
    left = min(left, days)
    exact = monthly * left / days
    assert abs(prorate(monthly, left, days) - exact) <= 0.5
