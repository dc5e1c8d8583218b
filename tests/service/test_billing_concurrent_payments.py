"""Two payments of one account applied at the same moment on two billing replicas, on
PostgreSQL: each posts its ledger row, then locks the account for the collections review. The
lock must not deadlock against the other payment's ledger row (its foreign key's KEY SHARE on
the account); the cluster chaos run lost events that way (each retry met the other again)."""
import threading
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.billing import accounts, ledger
from services.billing.models import Account
from services.runtime.database import make_engine
from tests.support.billing_accounts import OPEN

KEK = "service-test-key-encryption-key-0123456789"


class Tx:
    """What ledger.apply_payment needs of a transaction; events are not this test's point."""

    def __init__(self, session):
        self.session = session

    def emit(self, name, data):
        pass


def test_two_payments_of_one_account_at_once_both_post_without_a_deadlock(database):
    if database.kind != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite writes one transaction at a time)")
    engine = make_engine(database("billing"))
    with Session(engine) as session, session.begin():
        number = accounts.open_account(session, accounts.load_request(OPEN), KEK)[0] \
            .account_number
    both_posted = threading.Barrier(2, timeout=10)
    errors = []

    def pay():
        try:
            with Session(engine) as session, session.begin():
                ledger.apply_payment(Tx(session), {
                    "account_number": number, "payment_id": str(uuid.uuid4()),
                    "amount_cents": 1000, "method_type": "card", "last4": "4242"})
                both_posted.wait()  # each holds its ledger row's KEY SHARE on the account
                accounts.locked(session, select(Account).where(
                    Account.account_number == number))
        except Exception as error:  # a deadlock is the other side's error: collect both
            errors.append(error)

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    engine.dispose()
    assert errors == []
