"""Collections' rules as plain functions (services/billing/collections.py): the reminder stage
reached after so many days past due, the oldest statement left unpaid, and the days late."""
from datetime import date
from types import SimpleNamespace

from services.billing.collections import Standing, oldest_unpaid, reminder_stage


def test_a_reminder_goes_on_days_1_7_and_14_and_a_missed_day_still_reminds_once_later():
    assert [reminder_stage(d) for d in (0, 1, 2, 6, 7, 9, 13, 14, 29, 90)] == [
        None, 1, 1, 1, 7, 7, 7, 14, 14, 14]


def statement(number, amount, statement_date):
    return SimpleNamespace(invoice_number=number, amount_due_cents=amount,
                           statement_date=statement_date)


SEPT, OCT, NOV = (statement("S", 10000, date(2026, 9, 1)), statement("O", 20000, date(2026, 10, 1)),
                  statement("N", 30000, date(2026, 11, 1)))


def received(amounts):
    """money_after: what was paid after each statement (by invoice number)."""
    return lambda s: amounts.get(s.invoice_number, 0)


def test_the_oldest_statement_money_received_since_has_not_covered_is_the_late_one():
    assert oldest_unpaid([SEPT, OCT, NOV], received({})) is SEPT
    # September's 100.00 paid in full after it: October (which carried it) is the late one
    assert oldest_unpaid([SEPT, OCT, NOV], received({"S": 10000})) is OCT
    # one cent short of September's amount: still late since September
    assert oldest_unpaid([SEPT, OCT, NOV], received({"S": 9999})) is SEPT
    assert oldest_unpaid([SEPT, OCT, NOV], received({"S": 10000, "O": 20000, "N": 30000})) \
        is None


def test_days_past_due_count_from_the_missed_due_date_and_nothing_owed_is_never_late():
    late = Standing(5000, date(2026, 9, 22), "S")
    assert late.days(date(2026, 9, 22)) == 0 and late.days(date(2026, 9, 23)) == 1
    assert late.days(date(2026, 10, 22)) == 30
    assert Standing(0).days(date(2026, 10, 22)) == 0
    assert Standing(0, date(2026, 9, 22)).days(date(2026, 10, 22)) == 0


def test_returned_and_refunded_payments_take_back_money_received():
    from services.billing.collections import MONEY_BACK
    assert set(MONEY_BACK) == {"return", "refund"}
