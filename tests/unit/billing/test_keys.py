"""Pure rules: account numbers, security keys, field validators, the event catalogue."""
import datetime

import pytest
from marshmallow import ValidationError
from stdnum import luhn

from services.billing import keys
from services.contracts import validators
from services.contracts.events import BY_TYPE, dump_data
from services.runtime.handlers import retry_delay


def test_account_numbers_are_16_digits_ending_in_a_luhn_check_digit():
    numbers = {keys.new_account_number() for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert len(number) == 16 and number.isdigit() and number[0] != "0"
        assert luhn.is_valid(number)
        assert keys.is_account_number(number)
    broken = next(iter(numbers))
    assert not keys.is_account_number(broken[:-1] + str((int(broken[-1]) + 1) % 10))


def test_security_keys_use_no_look_alike_characters():
    for _ in range(200):
        key = keys.new_security_key()
        assert len(key) == 8
        assert not set(key) & set("0O1IL")


def test_a_key_matches_its_hash_however_it_is_typed_and_nothing_else_does():
    stored = keys.hash_key("AB7K9MNP")
    assert keys.key_matches(stored, "ab7k 9mnp")
    assert keys.key_matches(stored, "AB7K-9MNP")
    assert not keys.key_matches(stored, "AB7K9MNQ")
    assert not keys.key_matches(None, "AB7K9MNP")  # unknown account: same work, no match


@pytest.mark.parametrize("raw,e164", [("(415) 555-0100", "+14155550100"),
                                      ("+1 212 555 0147", "+12125550147")])
def test_phone_numbers_are_stored_in_e164(raw, e164):
    assert validators.phone(raw) == e164


@pytest.mark.parametrize("bad", ["123", "call me", "+1 000 000 0000"])
def test_a_phone_number_that_cannot_ring_is_refused(bad):
    with pytest.raises(ValidationError):
        validators.phone(bad)


def test_zip_codes_and_states_are_checked():
    assert validators.postal_code("94105") and validators.postal_code("94105-1234")
    with pytest.raises(ValidationError):
        validators.postal_code("9410")
    assert validators.state("ca") == "CA"
    with pytest.raises(ValidationError):
        validators.state("ZZ")


def test_an_event_payload_is_checked_against_the_catalogue():
    data = dump_data("billing", "statement_issued", {
        "account_number": "1", "invoice_number": "INV-1", "statement_date": datetime.date(2026, 1, 1),
        "due_date": datetime.date(2026, 1, 22), "amount_due_cents": 100, "currency": "USD"})
    assert data["due_date"] == "2026-01-22"
    with pytest.raises(ValueError):
        dump_data("billing", "statement_issued", {"account_number": "1"})
    with pytest.raises(KeyError):
        dump_data("billing", "no_such_event", {})


def test_every_event_in_events_md_minimum_set_is_in_the_catalogue():
    for name in ("identity.user_registered", "identity.password_changed", "billing.account_opened",
                 "billing.statement_issued", "payments.payment_succeeded",
                 "payments.payment_returned", "notifications.notification_sent"):
        assert name in BY_TYPE


def test_retries_back_off_to_at_most_thirty_seconds():
    assert [retry_delay(n) for n in (1, 2, 3, 4, 5, 6, 9)] == [1, 2, 4, 8, 16, 30, 30]
    assert [retry_delay(n, 60) for n in (6, 7, 9)] == [32, 60, 60]  # EVENT_RETRY_MAX_DELAY
