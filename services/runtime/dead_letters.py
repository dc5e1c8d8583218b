"""Parked events, kept where ops can list and replay them: a ``dead_letters`` table per service.

handlers.py parks an event whose handler kept failing on the queue ``<service>.dead-letters``,
with the x-bizportal-* headers saying where it came from and why it failed. The service's
dead-letter consumer (service_dead_letters.py) moves each such message into this table; a row is
one event parked by one handler queue, found again by (queue, message_key) so that a message
delivered twice is recorded once and an event parked again after a replay goes back to
``parked`` instead of making a second row.
"""
import hashlib
import json

from sqlalchemy import (Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint,
                        and_, or_, select)

from services import contracts
from services.contracts import dead_letters as contract
from services.contracts.errors import NotFound
from services.runtime import clock

PARKED, REPLAYED = "parked", "replayed"
HEADER_PREFIX = "x-bizportal-"


def add_table(metadata):
    """Declare ``dead_letters`` on a service's metadata; returns it."""
    return Table(
        "dead_letters", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("queue", String(255), nullable=False),
        Column("message_key", String(100), nullable=False),  # the event id, or the body's hash
        Column("event_id", String(64)),
        Column("event_type", String(120)),
        Column("exchange", String(255)),
        Column("routing_key", String(255)),
        Column("error", Text),
        Column("attempts", Integer, nullable=False, default=0),
        Column("parked_at", DateTime(timezone=True), nullable=False),
        Column("body", Text, nullable=False),
        Column("content_type", String(100)),
        Column("headers", Text, nullable=False),
        Column("status", String(10), nullable=False),
        Column("replayed_at", DateTime(timezone=True)),
        Column("replay_count", Integer, nullable=False, default=0),
        UniqueConstraint("queue", "message_key", name="uq_dead_letters_message"),
        Index("ix_dead_letters_parked", "parked_at", "id"),
    )


def _iso(value):
    """Fixed width, so that the gateway may also order these strings as they are."""
    return clock.iso(value, timespec="microseconds")


def _parked_at(text):
    try:
        return clock.as_utc(str(text))
    except (ValueError, OverflowError):
        return None


def from_message(body, headers, content_type=None):
    """The row for a message taken off ``<service>.dead-letters`` (body as text)."""
    headers = {str(k): v for k, v in (headers or {}).items()}
    try:
        envelope = json.loads(body)
    except ValueError:
        envelope = None
    envelope = envelope if isinstance(envelope, dict) else {}
    event_id = envelope.get("event_id") if isinstance(envelope.get("event_id"), str) else None
    event_type = envelope.get("type") if isinstance(envelope.get("type"), str) else None
    key = event_id or "sha256:" + hashlib.sha256(body.encode()).hexdigest()
    try:
        attempts = int(headers.get(HEADER_PREFIX + "attempts") or 0)
    except (TypeError, ValueError):
        attempts = 0
    return {
        "queue": str(headers.get(HEADER_PREFIX + "queue") or "unknown")[:255],
        "message_key": key[:100], "event_id": event_id and event_id[:64],
        "event_type": event_type and event_type[:120],
        "exchange": headers.get(HEADER_PREFIX + "exchange"),
        "routing_key": headers.get(HEADER_PREFIX + "routing-key"),
        "error": headers.get(HEADER_PREFIX + "error"), "attempts": attempts,
        "parked_at": _parked_at(headers.get(HEADER_PREFIX + "parked-at")) or clock.now(),
        "body": body, "content_type": content_type,
        "headers": json.dumps(headers, default=str, sort_keys=True),
    }


def record(session, table, fields):
    """Keep a parked message; returns "new", "parked again" or "duplicate".

    The same parking delivered twice (the consumer died before its ack) changes nothing; the
    same event parked later by the same queue (a replay that failed again) is parked again.
    """
    row = session.execute(select(table).where(
        table.c.queue == fields["queue"], table.c.message_key == fields["message_key"])
        .with_for_update()).first()
    if row is None:
        session.execute(table.insert().values(**fields, status=PARKED, replay_count=0))
        return "new"
    if clock.as_utc(row.parked_at) >= fields["parked_at"]:
        return "duplicate"
    session.execute(table.update().where(table.c.id == row.id).values(**fields, status=PARKED))
    return "parked again"


def public(row, service):
    """A row as the RPCs return it: the id says which service holds it."""
    try:
        body = json.loads(row.body)
    except ValueError:
        body = row.body
    # the times fixed width (_iso), not as contracts.formats.Timestamp writes them
    return contracts.dump(contract.DeadLetter, row, id=f"{service}.{row.id}", service=service,
                          parked_at=_iso(row.parked_at),
                          replayed_at=row.replayed_at and _iso(row.replayed_at), body=body)


def listing(session, table, service, limit=20, before=None, include_replayed=False):
    """``{items, more}``, newest parked first; ``before`` = [parked_at, id]: only older rows
    (same time: lower ids), the keyset the gateway's cursor carries."""
    query = select(table)
    if not include_replayed:
        query = query.where(table.c.status == PARKED)
    if before:
        parked_at, below = _parked_at(before[0]), int(before[1])
        query = query.where(or_(table.c.parked_at < parked_at,
                                and_(table.c.parked_at == parked_at, table.c.id < below)))
    rows = session.execute(query.order_by(table.c.parked_at.desc(), table.c.id.desc())
                           .limit(limit + 1)).all()
    return {"items": [public(r, service) for r in rows[:limit]], "more": len(rows) > limit}


def claim(session, table, row_id):
    """The row to replay, locked until the caller's transaction ends; NotFound if none."""
    row = session.execute(select(table).where(table.c.id == row_id).with_for_update()).first()
    if row is None:
        raise NotFound("No such dead letter.")
    return row


def replay_headers(row):
    """The original message's headers without what parking added: attempts start again."""
    headers = json.loads(row.headers or "{}")
    return {k: v for k, v in headers.items() if not k.startswith(HEADER_PREFIX)}


def mark_replayed(session, table, row):
    """Record a replay; returns its time."""
    at = clock.now()
    session.execute(table.update().where(table.c.id == row.id).values(
        status=REPLAYED, replayed_at=at, replay_count=table.c.replay_count + 1))
    return at
