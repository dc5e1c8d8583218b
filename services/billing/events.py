"""Writing many events to the outbox in one statement (bill runs, late-fee runs)."""
import json

from services.runtime import logs, outbox


def emit_many(tx, name, payloads):
    """Queue ``billing.<name>`` once per payload in ``tx`` with one multi-row INSERT."""
    if not payloads:
        return []
    request_id = logs.current("request_id")
    bodies = [outbox.envelope("billing", name, data, request_id=request_id) for data in payloads]
    now = outbox.now()
    tx.session.execute(tx._db.outbox.insert().values([
        {"event_id": b["event_id"], "event_type": b["type"], "body": json.dumps(b),
         "request_id": request_id, "created_at": now, "attempts": 0} for b in bodies]))
    tx.events.extend(bodies)
    return bodies
