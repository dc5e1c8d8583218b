"""billing: the security key kept sealed beside its hash, and reissued by staff, in a nameko
container on a real database and broker (the migration-free path: tables made from models)."""
import json

from nameko.testing.services import entrypoint_hook
from sqlalchemy import select

from services.billing import keys
from services.billing.models import Account
from services.billing.service import BillingService
from services.runtime import sealing
from tests.support.billing_accounts import REQUEST
from tests.support.containers import events_queue, rows, take


def test_an_opened_account_keeps_its_key_sealed_and_hashed(start_service):
    container = start_service(BillingService)
    with entrypoint_hook(container, "open_account") as open_account:
        opened = open_account(REQUEST)
    stored = rows(container, select(Account.security_key_hash, Account.security_key_sealed))[0]
    assert stored.security_key_hash.startswith("$argon2id$")
    assert sealing.is_sealed(stored.security_key_sealed)
    assert opened["security_key"] not in stored.security_key_sealed
    assert keys.unseal_key(stored.security_key_sealed,
                           container.config["SECRET_KEY"]) == opened["security_key"]


def test_a_reissued_key_replaces_the_old_one_at_sign_up_and_is_announced_without_it(
        start_service, vhost):
    queue = events_queue(vhost[1], "billing", "security_key_reissued")
    container = start_service(BillingService)
    with entrypoint_hook(container, "open_account") as open_account:
        opened = open_account(REQUEST)
    number, old = opened["account_number"], opened["security_key"]
    with entrypoint_hook(container, "reissue_security_key") as reissue:
        reissued = reissue(number)
    assert reissued["account_number"] == number and reissued["security_key"] != old
    with entrypoint_hook(container, "verify_account_key") as verify:
        assert verify(number, old) is False
        assert verify(number, reissued["security_key"]) is True
    event = take(vhost[1], queue)
    assert event["type"] == "billing.security_key_reissued"
    assert event["data"] == {"account_number": number}
    assert old not in json.dumps(event) and reissued["security_key"] not in json.dumps(event)
    sealed = rows(container, select(Account.security_key_sealed))[0][0]
    assert keys.unseal_key(sealed, container.config["SECRET_KEY"]) == reissued["security_key"]
