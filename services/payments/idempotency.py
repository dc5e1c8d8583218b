"""Idempotency keys with Stripe's semantics.

The first request with a key inserts ``(account_number, key)`` in the same transaction as its
payment, so two concurrent requests with one key cannot both make a payment: the database's
primary key lets one commit and the other fails, reads the winner's row and returns its result.
The same key with another body is a Conflict. Keys are kept KEEP_HOURS (Stripe: 24 h).
"""
import hashlib
import json
import time
from datetime import timedelta

from sqlalchemy import delete, update

from services.contracts.errors import Conflict, InvalidInput
from services.payments.models import IdempotencyKey
from services.runtime import clock

KEEP_HOURS = 48
# how long a duplicate waits for the first request to finish: less than the gateway's RPC
# timeout, so the client gets a 409 "still being processed" rather than a 503
WAIT_SECONDS = 3


def check_key(key):
    if not key or not isinstance(key, str) or not key.strip():
        raise InvalidInput({"Idempotency-Key": [
            "Required: a unique key per payment (a UUID), reused only to retry that payment."]})
    if len(key) > 255:
        raise InvalidInput({"Idempotency-Key": ["At most 255 characters."]})
    return key.strip()


def fingerprint(fields):
    """sha256 of the request's meaningful fields (never a secret such as the security code)."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def claim(session, account_number, key, fp, payment_id):
    """Insert the key row in the caller's transaction; the commit raises IntegrityError when
    another request holds the key."""
    session.add(IdempotencyKey(account_number=account_number, key=key, fingerprint=fp,
                               payment_id=payment_id, created_at=clock.now()))
    session.flush()


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
            if row.fingerprint != fp:
                raise Conflict("This Idempotency-Key was already used with a different "
                               "request. Use a new key for a new payment.")
            if row.response is not None:
                return json.loads(row.response)
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
