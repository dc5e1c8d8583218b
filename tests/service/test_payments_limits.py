"""Payments in proportion (issue 11, point 13), payments in a nameko container on a real broker
and database: a payment may be at most what billing says is owed plus one month ahead (billing's
``get_payment_allowance``, faked here); more is Refused before anything is written or charged,
for one-time payments, for scheduled ones when they are made and again when they run. The
processor is the real sandbox adapter."""
import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.contracts.errors import Refused
from tests.support.payment_methods import BANK, CARD
from tests.support.payments_service import (ACCOUNT, AFTER, SOON, FakeBilling, call, events, query,
                                            start_payments)

assert start_payments  # the fixture, used by name


class Allowances(FakeBilling):
    """Billing's answer: owed ``dues`` plus ``ahead`` (the largest recent statement); of the
    payment ids payments asks about, those in ``applied`` are credited in its ledger."""

    def __init__(self, due, ahead):
        super().__init__({ACCOUNT: due})
        self.ahead = ahead
        self.applied = set()
        self.asked_about = []

    def get_payment_allowance(self, account_number, payment_ids=()):
        self.asked_about = list(payment_ids or ())
        return dict(super().get_payment_allowance(account_number),
                    applied_payment_ids=sorted(self.applied & set(self.asked_about)))


def nothing_happened(container):
    assert query(container, "SELECT count(*) FROM payments")[0][0] == 0
    assert events(container, "payment_succeeded") == events(container, "payment_failed") == []
    assert events(container, "payment_scheduled") == []


def test_a_payment_above_what_is_owed_plus_a_month_ahead_is_refused_and_changes_nothing(
        start_payments):
    container = start_payments(billing=Allowances(due=5000, ahead=3000))
    card = call(container, "add_payment_method", ACCOUNT, CARD)
    for body in ({"amount_cents": 8001}, {"amount_cents": 8001, "scheduled_for": SOON},
                 {"amount_cents": 9_999_999}):
        with pytest.raises(Refused) as refused:
            call(container, "create_payment", ACCOUNT,
                 dict(body, payment_method_id=card["id"]), f"key-{body}", user_id="u1")
        assert "$80.00" in refused.value.detail
    nothing_happened(container)
    paid = call(container, "create_payment", ACCOUNT,
                {"amount_cents": 8000, "payment_method_id": card["id"]}, "ok", user_id="u1")
    assert paid["status"] == "succeeded"


def test_with_no_statement_yet_nothing_beyond_the_balance_may_be_paid(start_payments):
    container = start_payments(billing=Allowances(due=0, ahead=0))
    card = call(container, "add_payment_method", ACCOUNT, CARD)
    with pytest.raises(Refused):
        call(container, "create_payment", ACCOUNT,
             {"amount_cents": 100, "payment_method_id": card["id"]}, "k", user_id="u1")
    nothing_happened(container)


def test_pending_bank_debits_count_against_the_allowance(start_payments):
    container = start_payments(billing=Allowances(due=5000, ahead=0))
    bank = call(container, "add_payment_method", ACCOUNT, BANK)
    first = call(container, "create_payment", ACCOUNT,
                 {"amount_cents": 4000, "payment_method_id": bank["id"]}, "b1", user_id="u1")
    assert first["status"] == "pending"  # not in billing's ledger until it settles
    with pytest.raises(Refused):
        call(container, "create_payment", ACCOUNT,
             {"amount_cents": 1001, "payment_method_id": bank["id"]}, "b2", user_id="u1")
    assert call(container, "create_payment", ACCOUNT,
                {"amount_cents": 1000, "payment_method_id": bank["id"]}, "b3",
                user_id="u1")["status"] == "pending"


def test_a_scheduled_payment_that_became_too_large_fails_at_its_run_without_a_charge(
        start_payments):
    billing = Allowances(due=5000, ahead=3000)
    container = start_payments(billing=billing)
    card = call(container, "add_payment_method", ACCOUNT, CARD)
    later = call(container, "create_payment", ACCOUNT,
                 {"amount_cents": 8000, "payment_method_id": card["id"],
                  "scheduled_for": SOON}, "s1", user_id="u1")
    assert later["status"] == "scheduled"

    billing.dues[ACCOUNT] = RuntimeError("billing away")  # no answer: wait, charge nothing
    assert call(container, "run_payments", AFTER)["payments_attempted"] == 0
    assert call(container, "get_payment", ACCOUNT, later["id"])["status"] == "scheduled"

    billing.dues[ACCOUNT] = 0  # the customer paid by hand meanwhile: at most $30.00 now
    call(container, "run_payments", AFTER)
    failed = call(container, "get_payment", ACCOUNT, later["id"])
    assert failed["status"] == "failed" and "$30.00" in failed["failure_reason"]
    assert query(container, f"SELECT attempts, processor_ref FROM payments "
                            f"WHERE id = '{later['id']}'")[0] == (0, None)  # never charged
    [notice] = events(container, "payment_failed")
    assert notice["payment_id"] == later["id"] and notice["user_id"] == "u1"


def test_a_card_payment_billing_has_not_credited_yet_counts_against_the_allowance(
        start_payments):
    """payment_succeeded reaches billing's ledger a moment later: until billing says it
    applied it, the payment still counts, so two quick payments cannot each take it all."""
    billing = Allowances(due=5000, ahead=3000)
    container = start_payments(billing=billing)
    card = call(container, "add_payment_method", ACCOUNT, CARD)
    first = call(container, "create_payment", ACCOUNT,
                 {"amount_cents": 6000, "payment_method_id": card["id"]}, "c1", user_id="u1")
    assert first["status"] == "succeeded"
    with pytest.raises(Refused) as refused:
        call(container, "create_payment", ACCOUNT,
             {"amount_cents": 2001, "payment_method_id": card["id"]}, "c2", user_id="u1")
    assert "$20.00" in refused.value.detail
    assert billing.asked_about == [first["id"]]  # payments asked billing about its payment
    billing.applied.add(first["id"])  # billing credited it: its balance now says so
    billing.dues[ACCOUNT] = -1000
    with pytest.raises(Refused):
        call(container, "create_payment", ACCOUNT,
             {"amount_cents": 2001, "payment_method_id": card["id"]}, "c3", user_id="u1")
    assert call(container, "create_payment", ACCOUNT,
                {"amount_cents": 2000, "payment_method_id": card["id"]}, "c4",
                user_id="u1")["status"] == "succeeded"


def test_concurrent_payments_together_stay_within_the_allowance(start_payments, database,
                                                               vhost):
    """Six payments of $30.00 at once against $80.00: two go through. (Real RPCs, each with its
    own reply: nameko's entrypoint_hook cannot tell concurrent calls of one method apart.)"""
    if database.kind != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL matter (SQLite has one writer)")
    container = start_payments(billing=Allowances(due=5000, ahead=3000))
    card = call(container, "add_payment_method", ACCOUNT, CARD)

    def pay(n):
        with ServiceRpcProxy("payments", {"AMQP_URI": vhost[1]}) as payments:
            try:
                return payments.create_payment(
                    ACCOUNT, {"amount_cents": 3000, "payment_method_id": card["id"]},
                    f"p{n}", user_id="u1")["status"]
            except Refused:  # domain errors arrive as themselves
                return "Refused"
    outcomes = sorted(eventlet.GreenPool().imap(pay, range(6)))
    assert outcomes == ["Refused"] * 4 + ["succeeded"] * 2  # 2 x $30.00 <= $80.00 < 3 x
    assert query(container, "SELECT count(*), sum(amount_cents) FROM payments")[0] == (2, 6000)
