"""The chaos run's refund and ledger rows (tests/chaos/invariants.py) on a made-up snapshot:
they pass on a consistent one and fail on each way a refund or credit can go wrong, so the
table can fail."""
from collections import namedtuple
from types import SimpleNamespace

from tests.chaos import invariants

P = namedtuple("P", "id account_number status amount_cents kind refunded_cents processor_ref")
R = namedtuple("R", "id payment_id account_number amount_cents status")
L = namedtuple("L", "account_number kind amount_cents reference")


def snapshot(**changes):
    snap = SimpleNamespace(
        payments={"p1": P("p1", "A", "succeeded", 1000, "one_time", 300, "ch_1")},
        refunds={"r1": R("r1", "p1", "A", 300, "succeeded")},
        processor_refunds=[{"idempotency_key": "refund:r1", "charge_reference": "ch_1",
                            "amount_cents": 300, "status": "succeeded", "asked": 2}],
        ledger=[L("A", "payment", -1000, "p1"), L("A", "refund", 300, "r1")],
        rows={"payments": {"events": [{"type": "payments.payment_refunded",
                                       "data": {"refund_id": "r1"}}]}})
    for name, value in changes.items():
        setattr(snap, name, value)
    snap.events = lambda service, kind: [e for e in snap.rows[service]["events"]
                                         if e["type"] == kind]
    return snap


RECORD = SimpleNamespace(refunds={"r1": ("p1", 300, "succeeded")})


def test_a_consistent_snapshot_passes_both_rows():
    assert invariants.refunded_at_most_once(snapshot(), RECORD)[1]
    assert invariants.ledger_matches_payments(snapshot(), RECORD)[1]


def test_a_refund_given_twice_or_unknown_to_payments_fails():
    twice = snapshot().processor_refunds * 2
    assert not invariants.refunded_at_most_once(snapshot(processor_refunds=twice), RECORD)[1]
    stray = snapshot().processor_refunds + [dict(twice[0], idempotency_key="refund:r9")]
    assert not invariants.refunded_at_most_once(snapshot(processor_refunds=stray), RECORD)[1]


def test_more_than_the_payment_took_or_a_wrong_total_fails():
    over = [dict(snapshot().processor_refunds[0], amount_cents=1001)]
    assert not invariants.refunded_at_most_once(snapshot(processor_refunds=over), RECORD)[1]
    wrong = {"p1": snapshot().payments["p1"]._replace(refunded_cents=400)}
    assert not invariants.refunded_at_most_once(snapshot(payments=wrong), RECORD)[1]


def test_a_refund_left_pending_or_lost_fails():
    pending = {"r1": snapshot().refunds["r1"]._replace(status="pending")}
    assert not invariants.refunded_at_most_once(snapshot(refunds=pending), RECORD)[1]
    lost = SimpleNamespace(refunds={"r1": (), "r2": ()})
    assert not invariants.refunded_at_most_once(snapshot(), lost)[1]


def test_a_refund_missing_from_the_ledger_or_posted_twice_fails():
    missing = snapshot().ledger[:1]
    assert not invariants.ledger_matches_payments(snapshot(ledger=missing), RECORD)[1]
    doubled = snapshot().ledger + snapshot().ledger[1:]
    assert not invariants.ledger_matches_payments(snapshot(ledger=doubled), RECORD)[1]


def test_the_ledger_row_counts_the_credits_the_api_accepted():
    record = SimpleNamespace(refunds=RECORD.refunds, credits={"c1": ("A", 250)})
    credited = snapshot().ledger + [L("A", "credit", -250, None)]
    assert invariants.ledger_matches_payments(snapshot(ledger=credited), record)[1]
    assert not invariants.ledger_matches_payments(snapshot(), record)[1]  # credit not posted
    twice = credited + [L("A", "credit", -250, None)]
    assert not invariants.ledger_matches_payments(snapshot(ledger=twice), record)[1]


def test_an_event_parked_on_a_dead_letter_table_fails_and_says_which():
    Parked = namedtuple("Parked", "event_type error")
    clean = SimpleNamespace(rows={"billing": {"parked": []}, "payments": {"parked": []}})
    assert invariants.nothing_parked(clean, RECORD)[1]
    parked = SimpleNamespace(rows={"billing": {"parked": [
        Parked("payments.payment_succeeded", "deadlock detected")]}, "payments": {"parked": []}})
    name, ok, detail = invariants.nothing_parked(parked, RECORD)
    assert not ok and "billing 1" in detail and "deadlock detected" in detail
