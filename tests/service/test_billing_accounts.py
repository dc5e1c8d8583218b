"""billing: opening accounts and checking the invoice's security key, in a nameko container."""
import json

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import select, text
from stdnum import luhn

from services.billing.models import Account
from services.billing.service import BillingService
from services.contracts.errors import InvalidInput
from tests.support.billing_accounts import REQUEST
from tests.support.containers import events_queue, rows, take


def test_opening_an_account_returns_a_luhn_number_and_keeps_only_the_keys_hash(start_service):
    container = start_service(BillingService)
    with entrypoint_hook(container, "open_account") as open_account:
        opened = open_account(REQUEST)
    assert len(opened["account_number"]) == 16 and luhn.is_valid(opened["account_number"])
    assert len(opened["security_key"]) == 8
    stored = rows(container, select(Account.account_number, Account.security_key_hash,
                                    Account.phone, Account.state))
    assert stored[0].account_number == opened["account_number"]
    assert opened["security_key"] not in stored[0].security_key_hash
    assert stored[0].security_key_hash.startswith("$argon2id$")
    assert (stored[0].phone, stored[0].state) == ("+12125550147", "NY")


def test_the_account_opened_event_is_published_through_the_outbox(start_service, vhost):
    queue = events_queue(vhost[1], "billing", "account_opened")
    container = start_service(BillingService)
    with entrypoint_hook(container, "open_account") as open_account:
        opened = open_account(REQUEST)
    event = take(vhost[1], queue)
    assert event["type"] == "billing.account_opened"
    assert event["data"]["account_number"] == opened["account_number"]
    assert opened["security_key"] not in json.dumps(event)
    unsent = rows(container, text("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))
    assert unsent[0][0] == 0


def test_the_security_key_is_checked_case_and_space_insensitively(start_service):
    container = start_service(BillingService)
    with entrypoint_hook(container, "open_account") as open_account:
        opened = open_account(REQUEST)
    key = opened["security_key"]
    with entrypoint_hook(container, "verify_account_key") as verify:
        assert verify(opened["account_number"], f" {key[:4].lower()} {key[4:]}") is True
        assert verify(opened["account_number"], "ZZZZZZZZ") is False
        assert verify("4111111111111111", key) is False
        assert verify("not-a-number", key) is False


def test_an_invalid_request_names_each_field_and_writes_nothing(start_service):
    container = start_service(BillingService)
    bad = dict(REQUEST, email="nope", bill_cycle_day=29,
               services=[{"code": "INT-500"}, {"code": "NO-SUCH"}])
    with entrypoint_hook(container, "open_account") as open_account:
        with pytest.raises(InvalidInput) as raised:
            open_account(bad)
    assert {"email", "bill_cycle_day"} <= set(raised.value.errors)
    bad_product = dict(REQUEST, services=[{"code": "NO-SUCH"}])
    with entrypoint_hook(container, "open_account") as open_account:
        with pytest.raises(InvalidInput) as raised:
            open_account(bad_product)
    assert "services" in raised.value.errors
    assert rows(container, text("SELECT count(*) FROM accounts"))[0][0] == 0
    assert rows(container, text("SELECT count(*) FROM outbox"))[0][0] == 0


def test_health_reports_the_database(start_service):
    container = start_service(BillingService)
    with entrypoint_hook(container, "health") as health:
        assert health() == {"service": "billing", "status": "ok", "database": "ok"}
