"""contracts.load: a payload through its schema, the field messages as InvalidInput."""
from datetime import date

import pytest
from marshmallow import EXCLUDE

from services import contracts
from services.contracts.billing import BillRunRequest
from services.contracts.errors import InvalidInput
from services.contracts.identity import ProfileChange


def test_a_valid_payload_loads_into_its_clean_dict():
    assert contracts.load(BillRunRequest, {"statement_date": "2024-03-01"}) == {
        "statement_date": date(2024, 3, 1), "account_numbers": None}


@pytest.mark.parametrize("payload", [None, [], ["x"], "text", 7])
def test_anything_but_an_object_loads_as_an_empty_one(payload):
    with pytest.raises(InvalidInput) as refused:
        contracts.load(BillRunRequest, payload)
    assert refused.value.errors == {"statement_date": ["Missing data for required field."]}


def test_field_messages_are_marshmallows_by_field():
    with pytest.raises(InvalidInput) as refused:
        contracts.load(BillRunRequest, {"statement_date": "1999-12-31", "colour": "red"})
    assert refused.value.errors == {
        "statement_date": ["Choose a date from 2000-01-01 to 2099-12-31."],
        "colour": ["Unknown field."]}
    assert refused.value.detail == "The request has invalid fields."


def test_partial_and_unknown_are_passed_to_marshmallow():
    assert contracts.load(ProfileChange, {"first_name": "Ada"}, partial=True) == {
        "first_name": "Ada"}
    assert contracts.load(BillRunRequest, {"statement_date": "2024-03-01", "colour": "red"},
                          unknown=EXCLUDE)["statement_date"] == date(2024, 3, 1)


def test_a_row_dumped_through_its_contract_shows_only_the_contract_fields_in_its_formats():
    from datetime import date, datetime
    from types import SimpleNamespace

    from services.contracts import dump
    from services.contracts.payments import Payment
    row = SimpleNamespace(
        id="p1", status="scheduled", amount_cents=500, currency="USD",
        scheduled_for=date(2026, 12, 24), failure_reason=None, payment_method_id="m1",
        kind="scheduled", invoice_number=None, created_at=datetime(2026, 12, 2, 9, 30),
        paid_at=None, processor_ref="secret-ref", attempts=3)
    assert dump(Payment, row, method_type="card", last4="4242") == {
        "id": "p1", "status": "scheduled", "amount_cents": 500, "currency": "USD",
        "scheduled_for": "2026-12-24", "failure_reason": None, "payment_method_id": "m1",
        "method_type": "card", "last4": "4242", "kind": "scheduled", "invoice_number": None,
        "created_at": "2026-12-02T09:30:00+00:00", "paid_at": None}
