"""The input rules of services/contracts/validators.py: no control or invisible formatting
character in typed text, and patterns that hold to the true end with ASCII digits only; and
the contract schemas that carry them name the field. Pure functions and schemas, nothing run."""
import pytest
from marshmallow import ValidationError

from services.contracts import billing, identity, payments, validators

REFUSED = ["\r", "\n", "\t", "\x00", "\x1b", "\x7f", "\x85", "\x9b", "\u200b", "\u200e",
           "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
           "\u2068", "\u2069", "\u2028", "\u2029", "\ufeff", "\u061c"]
KEPT = ["Zoë O'Brien-Núñez", "Åsa Lindström", "株式会社テレコム", "Acme & Sons, Inc.", "José #2"]


@pytest.mark.parametrize("char", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_plain_text_refuses_each_control_and_formatting_character(char):
    with pytest.raises(ValidationError):
        validators.plain_text(f"Acme{char}Co")
    assert validators.control_characters(f"Acme{char}Co") == [char]


@pytest.mark.parametrize("value", KEPT)
def test_plain_text_keeps_real_names_in_any_script(value):
    assert validators.plain_text(value) == value


@pytest.mark.parametrize("value", ["1234567890123456\n", "1234567890123456\r\n",
                                   "\u0661" * 16, "１２３４５６７８９０１２３４５６", "12345678901234567"])
def test_a_pattern_matches_the_whole_string_in_ascii_digits(value):
    with pytest.raises(ValidationError):
        validators.Pattern(r"^\d{16}$", error="16 digits")(value)
    assert validators.Pattern(r"^\d{16}$")("1234567890123456") == "1234567890123456"


@pytest.mark.parametrize("value", ["60611\n", "\u0666\u0660\u0666\u0661\u0661", "60611-"])
def test_a_postal_code_is_ascii_to_the_end(value):
    with pytest.raises(ValidationError):
        validators.postal_code(value)


@pytest.mark.parametrize("value", ["a@b.example\r\nBcc: c@d.example", "a@b.example\n",
                                   "a\u202e@b.example"])
def test_an_email_refuses_control_characters(value):
    with pytest.raises(ValidationError):
        validators.email(value)


@pytest.mark.parametrize("schema,body,field", [
    (identity.SignupRequest, {"first_name": "Rosa\nDiaz"}, "first_name"),
    (identity.SignupRequest, {"last_name": "Diaz\u202e"}, "last_name"),
    (identity.SignupRequest, {"username": "rosa.diaz\n"}, "username"),
    (identity.SignupRequest, {"account_number": "4929000000000006\n"}, "account_number"),
    (identity.LoginRequest, {"username": "rosa\tdiaz"}, "username"),
    (identity.ProfileChange, {"first_name": "Ro\x85sa"}, "first_name"),
    (billing.OpenAccountRequest, {"company_name": "Acme\r\nCo"}, "company_name"),
    (billing.OpenAccountRequest, {"billing_address": {"line1": "1 Main\tSt", "city": "X",
                                                      "state": "CA", "postal_code": "94105"}},
     "billing_address"),
    (billing.CompanyProfileChange, {"contact_name": "Jo\u2066Park"}, "contact_name"),
    (billing.UsageRequest, {"calls": [{"started_at": "2026-10-01T10:00:00+00:00",
                                       "from_number": "+14155550142\n",
                                       "to_number": "+442071234567", "duration_seconds": 1,
                                       "call_type": "local"}]}, "calls"),
    (payments.CardRequest, {"name": "Priya\nN"}, "name"),
    (payments.CardRequest, {"cvc": "123\n"}, "cvc"),
])
def test_the_contract_schemas_name_the_field_that_holds_one(schema, body, field):
    errors = schema().validate(body, partial=True)
    assert field in errors, errors
