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
