"""Loading call detail records: validated as a whole batch, rated, stored once per call.

A batch is all or nothing: every call is checked before any is written. Validation is done
by hand rather than with a marshmallow schema because usage arrives in batches of thousands
and the schema costs ~30x more per call; the rules are the same as the API contract's.
On PostgreSQL the batch goes to the server as one JSON document (``json_to_recordset``), so
one statement inserts it whatever its size; duplicates (same account, from, to, start) are
skipped by the unique constraint.
"""
import json
import re
from datetime import datetime, timezone

from sqlalchemy import select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.billing import rating
from services.billing.models import Account, Call
from services.contracts import billing as contract
from services.contracts.errors import InvalidInput, NotFound, Refused

MAX_CALLS = contract.MAX_CALLS
MAX_DURATION = contract.MAX_CALL_SECONDS
E164 = re.compile(contract.E164)  # fullmatch: "$" would also take a final newline
FIELDS = ("started_at", "from_number", "to_number", "duration_seconds", "call_type")


def _started_at(value):
    if not isinstance(value, str):
        raise ValueError
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError
    return moment.astimezone(timezone.utc)


def _check(call):
    """The errors of one call as ``{field: [message]}`` (empty when valid) and its clean form."""
    if not isinstance(call, dict):
        return {"_schema": ["A call is an object."]}, None
    errors = {}
    try:
        started = _started_at(call.get("started_at"))
    except (ValueError, TypeError):
        errors["started_at"] = ["An ISO 8601 time with a zone, e.g. 2026-11-01T14:05:00Z."]
    for field in ("from_number", "to_number"):
        value = call.get(field)
        if not isinstance(value, str) or not E164.fullmatch(value):
            errors[field] = ["A phone number in E.164 form, e.g. +14155550142."]
    duration = call.get("duration_seconds")
    if type(duration) is not int or not 0 <= duration <= MAX_DURATION:
        errors["duration_seconds"] = [f"Whole seconds from 0 to {MAX_DURATION}."]
    call_type = call.get("call_type")
    if call_type not in rating.CALL_TYPES:
        errors["call_type"] = [f"One of {', '.join(rating.CALL_TYPES)}."]
    unknown = set(call) - set(FIELDS)
    if unknown:
        errors.update({name: ["Unknown field."] for name in sorted(unknown)})
    if errors:
        return errors, None
    return {}, (started, call["from_number"], call["to_number"], call_type, duration,
                rating.charge_cents(call_type, call["to_number"], duration))


def validate(payload):
    """Clean, rated rows ``(started_at, from, to, type, duration, charge)`` for a usage request.

    Raises InvalidInput with ``{"calls": {index: {field: [messages]}}}`` if any call is bad.
    """
    calls = payload.get("calls") if isinstance(payload, dict) else None
    if not isinstance(calls, list) or not calls:
        raise InvalidInput({"calls": ["A non-empty list of calls."]})
    if len(calls) > MAX_CALLS:
        raise InvalidInput({"calls": [f"At most {MAX_CALLS} calls per request."]})
    rows, errors = [], {}
    for index, call in enumerate(calls):
        problems, row = _check(call)
        if problems:
            errors[index] = problems
            if len(errors) >= 20:  # enough to show what is wrong
                break
        else:
            rows.append(row)
    if errors:
        raise InvalidInput({"calls": errors})
    return rows


def account_id(session, account_number):
    """The account's id for new usage; Refused when it is closed (nothing new is charged)."""
    found = session.execute(select(Account.id, Account.status).where(
        Account.account_number == account_number)).first()
    if found is None:
        raise NotFound("No account has that number.")
    if found.status == "closed":
        raise Refused("This account is closed: its final statement was its last, and no "
                      "usage is loaded for it.")
    return found.id


def load(session, account_number, rows):
    """Store rated rows for the account; returns ``(accepted, duplicates)``."""
    owner = account_id(session, account_number)
    if session.bind.dialect.name == "postgresql":
        inserted = _load_postgresql(session, owner, rows)
    else:
        inserted = _load_generic(session, owner, rows)
    return inserted, len(rows) - inserted


def _load_postgresql(session, owner, rows):
    document = json.dumps([[r[0].isoformat(), r[1], r[2], r[3], r[4], r[5]] for r in rows])
    result = session.execute(text("""
        INSERT INTO calls (account_id, started_at, from_number, to_number, call_type,
                           duration_seconds, charge_cents)
        SELECT :owner, (c->>0)::timestamptz, c->>1, c->>2, c->>3, (c->>4)::int, (c->>5)::int
        FROM json_array_elements(CAST(:doc AS json)) AS c
        ON CONFLICT ON CONSTRAINT uq_calls_identity DO NOTHING"""),
        {"owner": owner, "doc": document})
    return result.rowcount


def _load_generic(session, owner, rows):
    before = session.execute(text("SELECT count(*) FROM calls WHERE account_id = :a"),
                             {"a": owner}).scalar()
    statement = sqlite_insert(Call).on_conflict_do_nothing()
    session.execute(statement, [
        {"account_id": owner, "started_at": r[0], "from_number": r[1], "to_number": r[2],
         "call_type": r[3], "duration_seconds": r[4], "charge_cents": r[5]} for r in rows])
    after = session.execute(text("SELECT count(*) FROM calls WHERE account_id = :a"),
                            {"a": owner}).scalar()
    return after - before
