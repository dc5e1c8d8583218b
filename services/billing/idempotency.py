"""Idempotency keys for billing's money-moving requests (staff credits), with payments'
semantics: the same key with the same body answers the first result, with another body is a
Conflict.

The key row is written in the same transaction as the credit it made, its answer included, so
a key either made one credit and holds its answer, or made nothing. Two requests racing with
one key both try to insert it: the database's primary key lets one commit; the other's
transaction fails (``IntegrityError``) and the caller reads the winner's answer.
"""
import hashlib
import json

from services.billing.models import IdempotencyKey
from services.contracts.errors import Conflict, InvalidInput
from services.runtime import clock

MAX_KEY = 255


def check_key(key, what="credit"):
    """The key, stripped; InvalidInput when it is missing or over 255 characters."""
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput({"Idempotency-Key": [
            f"Required: a unique key per {what} (a UUID), reused only to retry that {what}."]})
    if len(key) > MAX_KEY:
        raise InvalidInput({"Idempotency-Key": [f"At most {MAX_KEY} characters."]})
    return key.strip()


def fingerprint(fields):
    """sha256 of the request's meaningful fields."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def replay(session, account_number, key, fp, what="credit"):
    """The first answer given for this key, or None when the key is new. Raises Conflict when
    the key was used with another body."""
    row = session.get(IdempotencyKey, (account_number, key))
    if row is None:
        return None
    if row.fingerprint != fp:
        raise Conflict("This Idempotency-Key was already used with a different request. Use a "
                       f"new key for a new {what}.")
    return json.loads(row.response)


def record(session, account_number, key, fp, response):
    """Keeps ``response`` under the key in the caller's transaction (flushed: a concurrent
    holder of the key makes this raise IntegrityError now, or at the commit)."""
    session.add(IdempotencyKey(account_number=account_number, key=key, fingerprint=fp,
                               response=json.dumps(response), created_at=clock.now()))
    session.flush()
