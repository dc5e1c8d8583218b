"""The one rule of an Idempotency-Key, for every request that takes one (billing's staff
credits, payments' payments and refunds), with Stripe's semantics: the same key with the same
body answers the first result; the same key with another body is a Conflict that changes
nothing.

Each service keeps its keys in its own table (no service reads another's), written in the
transaction of what the key made, so two requests racing with one key cannot both make it:
the table's primary key lets one commit and the other reads the winner's answer. How long a
service waits for a first request still running is its own (payments.idempotency).
"""
import hashlib
import json

from services.contracts.errors import Conflict, InvalidInput
from services.runtime import clock

MAX_KEY = 255


def checked_key(key, what):
    """The key, stripped. Raises InvalidInput when it is missing or over MAX_KEY characters;
    ``what`` names what one key makes ("payment", "credit")."""
    if not isinstance(key, str) or not key.strip():
        raise InvalidInput({"Idempotency-Key": [
            f"Required: a unique key per {what} (a UUID), reused only to retry that {what}."]})
    if len(key) > MAX_KEY:
        raise InvalidInput({"Idempotency-Key": [f"At most {MAX_KEY} characters."]})
    return key.strip()


def fingerprint(fields):
    """sha256 of the request's meaningful fields (never a secret such as a security code)."""
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


def check_same_request(kept_fingerprint, fp, what):
    """Raises Conflict when the key's first request had another fingerprint than ``fp``."""
    if kept_fingerprint != fp:
        raise Conflict("This Idempotency-Key was already used with a different request. Use a "
                       f"new key for a new {what}.")


def first_answer(row, fp, what):
    """The answer kept in a key's ``row`` (``fingerprint`` and ``response``, JSON text): None
    when there is no row, or its first request has not answered yet. Raises Conflict when the
    key was used with another body."""
    if row is None:
        return None
    check_same_request(row.fingerprint, fp, what)
    return None if row.response is None else json.loads(row.response)


def keep(session, model, account_number, key, fp, response=None, **columns):
    """Adds the key's row (``model``, the service's own table) in the caller's transaction,
    flushed: a concurrent holder of the key makes this raise IntegrityError now, or at the
    commit. ``response``: the answer, when it is known already."""
    session.add(model(account_number=account_number, key=key, fingerprint=fp,
                      response=None if response is None else json.dumps(response),
                      created_at=clock.now(), **columns))
    session.flush()
