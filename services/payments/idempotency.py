"""Payments' Idempotency-Keys: the rule is services.runtime.idempotency's (the same key and
body answer the first result, another body is a Conflict); here is what is payments' own.

The first request with a key inserts ``(account_number, key)`` in the same transaction as its
payment, its ``response`` None until the payment's result is known; a duplicate meanwhile
waits for it (WAIT_SECONDS), and a first request that died is resumed (Interrupted). Keys are
kept KEEP_HOURS (Stripe: 24 h).
"""
import json
import time
from datetime import timedelta

from sqlalchemy import delete, update

from services.contracts.errors import Conflict
from services.payments.models import IdempotencyKey
from services.runtime import clock
from services.runtime import idempotency as rule

KEEP_HOURS = 48
# how long a duplicate waits for the first request to finish: less than the gateway's RPC
# timeout, so the client gets a 409 "still being processed" rather than a 503
WAIT_SECONDS = 3

fingerprint = rule.fingerprint


def check_key(key):
    return rule.checked_key(key, "payment")


def claim(session, account_number, key, fp, payment_id):
    """Insert the key row in the caller's transaction; the commit raises IntegrityError when
    another request holds the key."""
    rule.keep(session, IdempotencyKey, account_number, key, fp, payment_id=payment_id)


def record(session, account_number, key, response):
    row = session.get(IdempotencyKey, (account_number, key))
    row.response = json.dumps(response)


def record_for_payment(session, payment_id, response):
    """A recovered payment's result, for the key whose first request never finished."""
    session.execute(update(IdempotencyKey).where(
        IdempotencyKey.payment_id == payment_id, IdempotencyKey.response.is_(None)).values(
        response=json.dumps(response)))


class Interrupted:
    """The key's first request died before recording its result: the caller resumes it."""

    def __init__(self, payment_id):
        self.payment_id = payment_id


def replay(db, account_number, key, fp, wait=WAIT_SECONDS, stale=None):
    """The first result for this key, None if the key is new, Interrupted when ``stale(session,
    payment_id)`` says its first request died. Raises Conflict when the key was used with
    another body, or its first request is still running after ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        with db.transaction() as tx:
            row = tx.session.get(IdempotencyKey, (account_number, key))
            if row is None:
                return None
            first = rule.first_answer(row, fp, "payment")
            if first is not None:
                return first
            if stale is not None and stale(tx.session, row.payment_id):
                return Interrupted(row.payment_id)
        if time.monotonic() > deadline:
            raise Conflict("A request with this Idempotency-Key is still being processed. "
                           "Retry in a moment.")
        time.sleep(0.05)  # eventlet-patched: yields to the request holding the key


def purge(session, now=None):
    """Forget keys older than KEEP_HOURS; returns how many."""
    cutoff = (now or clock.now()) - timedelta(hours=KEEP_HOURS)
    return session.execute(delete(IdempotencyKey).where(
        IdempotencyKey.created_at < cutoff)).rowcount
