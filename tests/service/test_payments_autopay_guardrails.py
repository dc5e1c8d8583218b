"""Autopay's guardrails in a payments container on a real broker and database (SQLite and
PostgreSQL): the cap (``max_amount_cents``) that keeps a statement above it from being
drafted, the pre-draft notice of the payment run (once per draft, however many replicas and
runs), and the warning for a card that will have expired by the draft date. billing and
identity are small fakes (tests/support/payments_service.py); the processor is the sandbox."""
from datetime import date, timedelta

import eventlet
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.contracts.errors import InvalidInput
from services.runtime import outbox
from tests.support.payment_methods import BANK, CARD
from tests.support.payments_service import (ACCOUNT, FakeBilling, call, events,  # noqa: F401
                                            query, start_payments)


def statement_event(invoice, due="2026-12-20", amount=9900):
    return outbox.envelope("billing", "statement_issued", {
        "account_number": ACCOUNT, "invoice_number": invoice,
        "statement_date": date(2026, 12, 1), "due_date": date.fromisoformat(due),
        "amount_due_cents": amount, "currency": "USD"})


def issue(container, vhost, event, times=1):
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    for _ in range(times):
        with entrypoint_waiter(container, "on_statement_issued", timeout=10):
            dispatch("billing", "statement_issued", event)


def enrol(container, method, **extra):
    return call(container, "set_autopay", ACCOUNT,
                {"payment_method_id": method["id"], **extra})


def test_a_statement_above_the_cap_is_not_drafted_and_the_admins_are_told_once(
        start_payments, vhost):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    setting = enrol(container, method, max_amount_cents=5000)
    assert setting["max_amount_cents"] == 5000 and setting["next_draft"] is None
    issue(container, vhost, statement_event("INV-CAP", amount=9900), times=2)  # redelivered
    assert events(container, "payment_scheduled") == []
    assert events(container, "autopay_skipped") == [{
        "account_number": ACCOUNT, "invoice_number": "INV-CAP", "amount_cents": 9900,
        "max_amount_cents": 5000, "reason": "over_cap", "due_date": "2026-12-20"}]
    assert call(container, "run_payments", "2026-12-20")["payments_attempted"] == 0
    assert events(container, "payment_succeeded") == []
    assert call(container, "get_autopay", ACCOUNT)["next_draft"] is None


def test_a_statement_within_the_cap_is_drafted_and_shown_as_the_next_draft(start_payments,
                                                                         vhost):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    enrol(container, method, max_amount_cents=9900)  # the cap is the most: equal is drafted
    issue(container, vhost, statement_event("INV-OK", amount=9900))
    [scheduled] = events(container, "payment_scheduled")
    assert call(container, "get_autopay", ACCOUNT)["next_draft"] == {
        "payment_id": scheduled["payment_id"], "scheduled_for": "2026-12-20",
        "amount_cents": 9900, "invoice_number": "INV-OK"}
    assert call(container, "run_payments", "2026-12-20")["payments_attempted"] == 1
    assert [e["amount_cents"] for e in events(container, "payment_succeeded")] == [9900]
    assert events(container, "autopay_skipped") == []


def test_lowering_the_cap_under_a_scheduled_draft_cancels_it_and_raising_keeps_it(
        start_payments, vhost):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    enrol(container, method)
    issue(container, vhost, statement_event("INV-LOW", amount=9900))
    assert enrol(container, method, max_amount_cents=20000)["next_draft"]["amount_cents"] == 9900
    assert enrol(container, method, max_amount_cents=4000)["next_draft"] is None
    assert query(container, "SELECT status FROM payments") == [("canceled",)]
    [skipped] = events(container, "autopay_skipped")
    assert (skipped["amount_cents"], skipped["max_amount_cents"]) == (9900, 4000)
    assert [e["max_amount_cents"] for e in events(container, "autopay_changed")] == [
        None, 20000, 4000]


@pytest.mark.parametrize("cap", [0, -5, 10_000_001, "5000", 12.5, True])
def test_a_cap_that_is_not_whole_cents_in_range_is_refused_and_changes_nothing(
        start_payments, cap):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    with pytest.raises(InvalidInput) as refused:
        enrol(container, method, max_amount_cents=cap)
    assert "max_amount_cents" in refused.value.errors
    assert call(container, "get_autopay", ACCOUNT) is None
    assert events(container, "autopay_changed") == []


def test_the_pre_draft_notice_goes_out_three_days_before_once_with_amount_date_and_last4(
        start_payments, vhost):
    billing = FakeBilling({ACCOUNT: 9900})
    container = start_payments(billing=billing)
    method = call(container, "add_payment_method", ACCOUNT, BANK)
    enrol(container, method)
    issue(container, vhost, statement_event("INV-N", due="2026-12-20", amount=9900))
    assert call(container, "run_payments", "2026-12-16")["autopay_notices"] == 0
    billing.dues[ACCOUNT] = 7000  # part paid by hand: the notice says what is left
    assert call(container, "run_payments", "2026-12-17")["autopay_notices"] == 1
    for day in ("2026-12-17", "2026-12-18", "2026-12-20"):
        assert call(container, "run_payments", day)["autopay_notices"] == 0
    [notice] = events(container, "autopay_draft_announced")
    assert notice == {"account_number": ACCOUNT, "payment_id": notice["payment_id"],
                      "invoice_number": "INV-N", "amount_cents": 7000, "currency": "USD",
                      "scheduled_for": "2026-12-20", "method_type": "bank_account",
                      "last4": "6789", "notice_days": 3}
    assert "000123456789" not in str(query(container, "SELECT body FROM outbox"))


def test_the_notice_days_come_from_the_configuration_and_a_late_statement_is_still_announced(
        start_payments, vhost):
    container = start_payments(AUTOPAY_NOTICE_DAYS=5)
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    enrol(container, method)
    issue(container, vhost, statement_event("INV-5", due="2026-12-20"))
    issue(container, vhost, statement_event("INV-LATE", due="2026-12-14"))
    assert call(container, "run_payments", "2026-12-14")["autopay_notices"] == 1  # INV-LATE
    assert call(container, "run_payments", "2026-12-15")["autopay_notices"] == 1  # 5 days
    assert sorted(e["invoice_number"] for e in events(container, "autopay_draft_announced")) \
        == ["INV-5", "INV-LATE"]


def test_two_replicas_announce_each_draft_exactly_once(start_payments, database, vhost):
    url = database("payments")
    first = start_payments(url=url)
    method = call(first, "add_payment_method", ACCOUNT, CARD)
    enrol(first, method)
    for n in range(12):  # before the second replica starts: each event reaches the first
        issue(first, vhost, statement_event(f"INV-R{n}", due="2026-12-20"))
    second = start_payments(url=url)
    runs = [eventlet.spawn(call, c, "run_payments", "2026-12-18") for c in (first, second)]
    assert sum(r.wait()["autopay_notices"] for r in runs) == 12
    assert len(events(first, "autopay_draft_announced")) == 12


def test_a_card_that_expires_before_the_draft_date_is_warned_about_when_the_statement_comes(
        start_payments, vhost):
    container = start_payments()
    today = date.today()
    expiring = call(container, "add_payment_method", ACCOUNT,
                    dict(CARD, exp_month=today.month, exp_year=today.year))
    lasting = call(container, "add_payment_method", ACCOUNT, CARD)  # expires in 2031
    after_expiry = (today.replace(day=28) + timedelta(days=10)).isoformat()
    enrol(container, lasting)
    issue(container, vhost, statement_event("INV-FINE", due=after_expiry))
    assert events(container, "autopay_card_expiring") == []
    enrol(container, expiring)
    issue(container, vhost, statement_event("INV-EXP", due=after_expiry))
    [warning] = events(container, "autopay_card_expiring")
    assert warning["invoice_number"] == "INV-EXP" and warning["last4"] == "4242"
    assert (warning["payment_method_id"], warning["exp_month"], warning["exp_year"],
            warning["scheduled_for"]) == (expiring["id"], today.month, today.year, after_expiry)
    assert len(events(container, "payment_scheduled")) == 2  # a warning; still scheduled
