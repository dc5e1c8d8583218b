"""payments' pure rules: card and bank validation, the sandbox processor, payment requests,
idempotency fingerprints. No broker, no database."""
from datetime import date

import pytest

from services.contracts.errors import InvalidInput
from services.payments import idempotency, lifecycle, methods
from services.payments.processor import ProcessorDeclined, SandboxProcessor

TODAY = date(2026, 11, 24)
CARD = {"type": "card", "card_number": "4242 4242 4242 4242", "exp_month": 12,
        "exp_year": 2030, "cvc": "123", "name": "Ana Ruiz", "postal_code": "10004"}
BANK = {"type": "bank_account", "routing_number": "110000000", "account_number": "000123456789",
        "account_type": "checking", "name": "Northwind Logistics"}


def test_a_valid_card_is_normalised_to_digits_and_branded():
    data = methods.load_request(CARD, TODAY)
    assert data["card_number"] == "4242424242424242"
    assert methods.card_brand(data["card_number"]) == "visa"
    assert methods.card_brand("5555555555554444") == "mastercard"
    assert methods.card_brand("378282246310005") == "amex"


@pytest.mark.parametrize("change, field", [
    ({"card_number": "4242424242424241"}, "card_number"),      # Luhn
    ({"card_number": "42424242x4242424"}, "card_number"),
    ({"exp_year": 2026, "exp_month": 10}, "exp_year"),         # expired
    ({"exp_month": 13}, "exp_month"),
    ({"cvc": "12"}, "cvc"),
    ({"postal_code": "ABCDE"}, "postal_code"),
    ({"name": ""}, "name"),
])
def test_a_malformed_card_names_the_field_without_echoing_the_number(change, field):
    with pytest.raises(InvalidInput) as raised:
        methods.load_request(dict(CARD, **change), TODAY)
    assert field in raised.value.errors
    assert "4242424242424241" not in str(raised.value.errors)


def test_a_bank_account_needs_a_valid_aba_routing_number():
    assert methods.load_request(BANK)["routing_number"] == "110000000"
    with pytest.raises(InvalidInput) as raised:
        methods.load_request(dict(BANK, routing_number="110000001"))
    assert "routing_number" in raised.value.errors
    with pytest.raises(InvalidInput) as raised:
        methods.load_request(dict(BANK, account_number="12"))
    assert "account_number" in raised.value.errors
    with pytest.raises(InvalidInput) as raised:
        methods.load_request(dict(BANK, type="bitcoin"))
    assert "type" in raised.value.errors


def test_the_sandbox_behaves_like_stripes_test_cards():
    processor = SandboxProcessor()
    expected = {"4242424242424242": ("succeeded", None),
                "5555555555554444": ("succeeded", None),
                "4000000000000002": ("failed", "generic_decline"),
                "4000000000009995": ("failed", "insufficient_funds"),
                "4000000000000069": ("failed", "expired_card"),
                "4000000000000127": ("failed", "incorrect_cvc"),
                "4000000000000119": ("failed", "processing_error")}
    for number, (status, code) in expected.items():
        tokenized = processor.tokenize_card(number=number, exp_month=1, exp_year=2030,
                                            cvc="123", name="x", postal_code="10004",
                                            brand="visa")
        assert number not in tokenized.token and tokenized.last4 == number[-4:]
        charge = processor.charge(token=tokenized.token, amount_cents=100, currency="USD",
                                  idempotency_key=f"k-{number}")
        assert (charge.status, charge.failure_code) == (status, code)
        assert charge.retryable == (code == "processing_error")
        if code:
            assert charge.failure_reason and "_" not in charge.failure_reason
    with pytest.raises(ProcessorDeclined):
        processor.tokenize_card(number="4111111111111111", exp_month=1, exp_year=2030,
                                cvc="123", name="x", postal_code="10004", brand="visa")


def test_sandbox_bank_debits_are_pending_and_an_account_ending_0002_comes_back():
    processor = SandboxProcessor()
    for number, final in (("000123456789", "succeeded"), ("000123450002", "returned")):
        token = processor.tokenize_bank_account(routing_number="110000000",
                                                account_number=number,
                                                account_type="checking", name="x")
        assert token.bank_name == "STRIPE TEST BANK" and number not in token.token
        charge = processor.charge(token=token.token, amount_cents=100, currency="USD",
                                  idempotency_key=f"k-{number}")
        assert charge.status == "pending"
        assert processor.settle(reference=charge.reference).status == "succeeded"
        assert processor.check_return(reference=charge.reference).status == final


def test_a_payment_request_checks_amount_and_schedule():
    ok = lifecycle.load_request({"amount_cents": 1000, "payment_method_id": "m"}, TODAY)
    assert ok["scheduled_for"] is None
    today = lifecycle.load_request({"amount_cents": 1, "payment_method_id": "m",
                                   "scheduled_for": "2026-11-24"}, TODAY)
    assert today["scheduled_for"] is None  # today means now
    for bad, field in (({"amount_cents": 0}, "amount_cents"),
                       ({"amount_cents": 10.5}, "amount_cents"),
                       ({"amount_cents": 10_000_001}, "amount_cents"),
                       ({"scheduled_for": "2026-11-23"}, "scheduled_for"),
                       ({"scheduled_for": "2027-01-24"}, "scheduled_for"),
                       ({"security_code": "12a4"}, "security_code")):
        with pytest.raises(InvalidInput) as raised:
            lifecycle.load_request(dict({"amount_cents": 100, "payment_method_id": "m"}, **bad),
                                  TODAY)
        assert field in raised.value.errors


def test_the_security_code_is_not_part_of_the_idempotency_fingerprint():
    a = lifecycle.load_request({"amount_cents": 100, "payment_method_id": "m",
                               "security_code": "1234"}, TODAY)
    b = lifecycle.load_request({"amount_cents": 100, "payment_method_id": "m"}, TODAY)
    c = lifecycle.load_request({"amount_cents": 101, "payment_method_id": "m"}, TODAY)
    fp = lambda d: idempotency.fingerprint(lifecycle.fingerprint_fields(d))  # noqa: E731
    assert fp(a) == fp(b) != fp(c)
    with pytest.raises(InvalidInput):
        idempotency.check_key("  ")


class SilentIdentity:
    """What a TimedRpcProxy does when identity does not answer in time."""
    def check_payment_security(self, user_id, code=None):
        from services.contracts.errors import Unavailable
        raise Unavailable("The identity service did not answer in time.")


def test_an_identity_that_does_not_answer_refuses_the_payment():
    from services.contracts.errors import Refused
    from services.payments import security
    with pytest.raises(Refused):
        security.check(SilentIdentity(), "u1", None)
    security.check(SilentIdentity(), None, None)  # autopay: no user, no code
