"""The reading form of money and dates (services/contracts/money.py)."""
from datetime import date, datetime, timedelta, timezone

from services.contracts import money


def test_money_reads_with_a_dollar_sign_thousands_and_two_decimals():
    assert money.usd(120450) == "$1,204.50"
    assert money.usd(5) == "$0.05"
    assert money.usd(0) == "$0.00"
    assert money.usd(123456789) == "$1,234,567.89"


def test_a_credit_reads_with_a_minus_sign_and_nothing_reads_as_a_dash():
    assert money.usd(-500) == "-$5.00"
    assert money.usd(None) == "—"


def test_dates_read_as_month_day_year():
    assert money.us_date(date(2026, 12, 22)) == "Dec 22, 2026"
    assert money.us_date("2026-01-05") == "Jan 5, 2026"
    assert money.us_date("2026-01-05T10:00:00+00:00") == "Jan 5, 2026"
    assert money.us_date(None) == "—"
    assert money.long_date("2026-03-01") == "March 1, 2026"


def test_moments_read_in_utc_with_a_twelve_hour_clock():
    assert money.us_datetime(datetime(2026, 12, 22, 15, 4, tzinfo=timezone.utc)) \
        == "Dec 22, 2026, 3:04 PM UTC"
    assert money.us_datetime("2026-12-22T00:30:00") == "Dec 22, 2026, 12:30 AM UTC"
    east = timezone(timedelta(hours=5))
    assert money.us_datetime(datetime(2026, 12, 22, 5, 0, tzinfo=east)) \
        == "Dec 22, 2026, 12:00 AM UTC"


def test_a_plain_decimal_has_no_sign_of_currency_nor_grouping():
    assert money.decimal(123456) == "1234.56"
    assert money.decimal(5) == "0.05"
    assert money.decimal(0) == "0.00"
    assert money.decimal(-5) == "-0.05"


def test_percentages_round_half_up_to_the_cent():
    assert money.percent_of(1000, 725) == 73      # 72.5 -> 73
    assert money.percent_of(999, 500) == 50       # 49.95 -> 50
    assert money.percent_of(10, 500) == 1         # 0.5 -> 1
    assert money.percent_of(-10, 500) == 0        # -0.5 -> 0: half up, toward more
    assert money.percent_of(-11, 500) == -1       # -0.55 -> -1
