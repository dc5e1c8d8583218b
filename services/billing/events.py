"""Writing many events to the outbox in one statement (bill runs, late-fee runs).

The same envelope as ``outbox.envelope`` (EVENTS.md), but the payloads are dumped and
validated against the catalogue's schema once per batch (``many=True``): a bill run emits
thousands of events, and one validation per event was a third of the run's time.
"""
import json
import uuid

from sqlalchemy import DateTime, bindparam, text

from services.contracts.events import BY_TYPE
from services.runtime import clock
from services.runtime import logs


_PG_INSERT = text("""
    INSERT INTO outbox (event_id, event_type, body, request_id, created_at, attempts)
    SELECT e->>'event_id', e->>'type', e::text, e->>'request_id', :now, 0
    FROM json_array_elements(CAST(:doc AS json)) AS e""").bindparams(
    bindparam("now", type_=DateTime(timezone=True)))


def envelopes(name, payloads, request_id=None):
    event = BY_TYPE[f"billing.{name}"]
    schema = event.schema(many=True)
    data = schema.dump(payloads)
    errors = schema.validate(data)
    if errors:
        raise ValueError(f"{event.type} payload invalid: {errors}")
    occurred_at = clock.now().isoformat()
    return [{"event_id": str(uuid.uuid4()), "type": event.type, "occurred_at": occurred_at,
             "source": "billing", "version": event.version, "request_id": request_id,
             "data": item} for item in data]


def emit_many(tx, name, payloads):
    """Queue ``billing.<name>`` once per payload in ``tx`` with one multi-row INSERT."""
    if not payloads:
        return []
    request_id = logs.current("request_id")
    bodies = envelopes(name, payloads, request_id)
    now = clock.now()
    if tx.session.bind.dialect.name == "postgresql":
        # one JSON parameter instead of six per row: pg8000 converts parameters in Python
        tx.session.execute(_PG_INSERT, {"doc": json.dumps(bodies), "now": now})
    else:
        tx.session.execute(tx._db.outbox.insert().values([
            {"event_id": b["event_id"], "event_type": b["type"], "body": json.dumps(b),
             "request_id": request_id, "created_at": now, "attempts": 0} for b in bodies]))
    tx.events.extend(bodies)
    return bodies
