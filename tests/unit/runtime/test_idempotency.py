"""services/runtime/idempotency.py: the one Idempotency-Key rule of billing's credits and
payments' payments and refunds."""
import json
from types import SimpleNamespace

import pytest

from services.contracts.errors import Conflict, InvalidInput
from services.runtime import idempotency


def test_a_key_is_required_and_bounded_and_the_fingerprint_ignores_order():
    assert idempotency.checked_key("  k-1 ", "credit") == "k-1"
    for key in (None, "", "  ", 5, "k" * 256):
        with pytest.raises(InvalidInput):
            idempotency.checked_key(key, "credit")
    assert idempotency.fingerprint({"a": 1, "b": 2}) == idempotency.fingerprint({"b": 2, "a": 1})
    assert idempotency.fingerprint({"a": 1}) != idempotency.fingerprint({"a": 2})


def test_a_missing_key_names_what_one_key_makes():
    with pytest.raises(InvalidInput) as refused:
        idempotency.checked_key("", "payment")
    assert refused.value.errors == {"Idempotency-Key": [
        "Required: a unique key per payment (a UUID), reused only to retry that payment."]}


def test_the_same_key_and_body_answer_the_first_result_another_body_is_a_conflict():
    fp = idempotency.fingerprint({"amount_cents": 100})
    row = SimpleNamespace(fingerprint=fp, response=json.dumps({"id": "c-1"}))
    assert idempotency.first_answer(None, fp, "credit") is None
    assert idempotency.first_answer(row, fp, "credit") == {"id": "c-1"}
    assert idempotency.first_answer(SimpleNamespace(fingerprint=fp, response=None), fp,
                                    "payment") is None  # its first request still running
    with pytest.raises(Conflict, match="Use a new key for a new credit."):
        idempotency.first_answer(row, idempotency.fingerprint({"amount_cents": 101}), "credit")
