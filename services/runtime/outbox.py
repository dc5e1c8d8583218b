"""The transactional outbox and the idempotent-consumer ledger, as tables in each service's DB.

A service writes each event into ``outbox`` in the same transaction as the change it
describes; the relay (relay.py) publishes and marks it. A consumer records each event id it
applied in ``applied_events`` in the same transaction as the effect, so a redelivery is a no-op.
"""
import json
import uuid

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text, select

from services.contracts.events import BY_TYPE, dump_data
from services.runtime import clock
from services.runtime import logs


def add_tables(metadata):
    """Declare ``outbox`` and ``applied_events`` on a service's metadata; returns both."""
    outbox = Table(
        "outbox", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("event_type", String(80), nullable=False),
        Column("body", Text, nullable=False),
        Column("request_id", String(64)),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True)),
        Column("attempts", Integer, nullable=False, default=0),
        Index("ix_outbox_unsent", "sent_at", "created_at"),
    )
    applied = Table(
        "applied_events", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("consumer", String(120), primary_key=True),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    return outbox, applied



def envelope(source, name, data, request_id=None, occurred_at=None):
    """The message body of an event: EVENTS.md's envelope around a validated payload."""
    return {
        "event_id": str(uuid.uuid4()),
        "type": f"{source}.{name}",
        "occurred_at": (occurred_at or clock.now()).isoformat(),
        "source": source,
        "version": BY_TYPE[f"{source}.{name}"].version,  # 2 for a "<name>.v2" (events.py)
        "request_id": request_id,
        "data": dump_data(source, name, data),
    }


def add(session, outbox, source, name, data):
    """Queue event ``source.name`` in the caller's transaction; returns its envelope."""
    body = envelope(source, name, data, request_id=logs.current("request_id"))
    # a plain insert with parameters: one compiled statement for every event
    session.execute(outbox.insert(), {
        "event_id": body["event_id"], "event_type": body["type"], "body": json.dumps(body),
        "request_id": body["request_id"], "created_at": clock.now(), "attempts": 0,
    })
    return body


def first_application(session, applied, event_id, consumer):
    """Record that ``consumer`` applies ``event_id``; False when it already did.

    Runs in the effect's transaction. Two concurrent deliveries both passing the check is
    caught by the primary key at commit: the loser rolls back whole and, retried, sees the row.
    """
    seen = session.execute(select(applied.c.event_id).where(
        applied.c.event_id == event_id, applied.c.consumer == consumer)).first()
    if seen:
        return False
    session.execute(applied.insert().values(event_id=event_id, consumer=consumer, applied_at=clock.now()))
    return True
