"""The pure rules of credits and disputes: what a credit and a dispute request accept, what a
resolution may say, the ledger line a credit reads as (the Idempotency-Key rule:
tests/unit/runtime/test_idempotency.py)."""
import pytest

from services import contracts
from services.billing import credits
from services.contracts.credits import CreditRequest
from services.contracts.disputes import DisputeRequest, ResolutionRequest
from services.contracts.errors import InvalidInput


@pytest.mark.parametrize("body", [
    {"amount_cents": 1, "reason": "a"}, {"amount_cents": 10_000_000, "reason": "x" * 100},
    {"amount_cents": 5, "reason": "r", "invoice_number": "261015100000042"},
    {"amount_cents": 5, "reason": "r", "invoice_number": None},
])
def test_a_credit_request_within_the_rules_loads(body):
    assert contracts.load(CreditRequest, body)["amount_cents"] == body["amount_cents"]


@pytest.mark.parametrize("body", [
    {"amount_cents": 0, "reason": "a"}, {"amount_cents": 10_000_001, "reason": "a"},
    {"amount_cents": -1, "reason": "a"}, {"amount_cents": 1.5, "reason": "a"},
    {"amount_cents": "1", "reason": "a"}, {"amount_cents": True, "reason": "a"},
    {"amount_cents": 1, "reason": "x" * 101}, {"amount_cents": 1, "reason": "tab\there"},
    {"amount_cents": 1, "reason": "a", "invoice_number": "INV-1"}, {"reason": "a"},
])
def test_a_credit_request_outside_the_rules_is_refused(body):
    with pytest.raises(InvalidInput):
        contracts.load(CreditRequest, body)


def test_a_dispute_names_a_line_by_its_digits_and_an_amount_of_at_least_a_cent():
    assert contracts.load(DisputeRequest, {"line_id": "42", "amount_cents": 1,
                                           "reason": "r"})["line_id"] == "42"
    for body in ({"line_id": "4 2", "amount_cents": 1, "reason": "r"},
                 {"line_id": "42", "amount_cents": 0, "reason": "r"},
                 {"line_id": "42", "amount_cents": 1, "reason": "x" * 501},
                 {"line_id": "1" * 13, "amount_cents": 1, "reason": "r"}):
        with pytest.raises(InvalidInput):
            contracts.load(DisputeRequest, body)


def test_a_rejection_credits_nothing_and_a_note_is_always_given():
    assert contracts.load(ResolutionRequest, {"outcome": "credited", "note": "n"})[
        "amount_cents"] is None
    for body in ({"outcome": "rejected", "amount_cents": 1, "note": "n"},
                 {"outcome": "credited"}, {"outcome": "refunded", "note": "n"},
                 {"outcome": "credited", "amount_cents": 0, "note": "n"}):
        with pytest.raises(InvalidInput):
            contracts.load(ResolutionRequest, body)


def test_a_credit_reads_as_its_reason_in_the_ledgers_120_characters():
    assert credits.description("Outage") == "Credit: Outage"
    assert len(credits.description("x" * 200)) == 120
