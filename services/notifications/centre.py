"""The message centre: every notice a user got (by email, or only in the portal when they
turned that email off), newest first, read or unread. Texts are not listed: they repeat an
entry that is."""
import base64
import json
import uuid
from datetime import datetime

from sqlalchemy import and_, or_, select

from services.contracts.errors import InvalidInput, NotFound
from services.notifications.models import Message
from services.runtime import clock

LISTED = ("email", "portal")


def record_portal(session, *, user_id, category, subject, body, account_number=None):
    """A notice kept only for the message centre (nothing to deliver)."""
    at = clock.now()
    message = Message(id=str(uuid.uuid4()), channel="portal", category=category,
                      recipient=user_id, subject=subject, body=body, user_id=user_id,
                      account_number=account_number, created_at=at, status="sent",
                      sent_at=at, attempts=0, redacted=False)
    session.add(message)
    session.flush()
    return message


def public(message):
    return {"id": message.id, "category": message.category, "subject": message.subject,
            "body": message.body, "created_at": clock.iso(message.created_at),
            "read": message.read_at is not None}


def _encode(message):
    raw = json.dumps([message.created_at.isoformat(), message.id]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode(cursor):
    try:
        created, message_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(created), str(message_id)
    except (ValueError, TypeError, AttributeError):
        raise InvalidInput({"cursor": ["Not a cursor from a previous page."]}) from None


def listing(session, user_id, limit=20, cursor=None):
    """``{items, next_cursor}`` of the user's notices, newest first."""
    try:
        limit = int(limit)
    except (TypeError, ValueError):
        raise InvalidInput({"limit": ["A number from 1 to 100."]}) from None
    if not 1 <= limit <= 100:
        raise InvalidInput({"limit": ["A number from 1 to 100."]})
    query = select(Message).where(Message.user_id == user_id, Message.channel.in_(LISTED))
    if cursor:
        created, message_id = _decode(cursor)
        query = query.where(or_(Message.created_at < created,
                                and_(Message.created_at == created, Message.id < message_id)))
    rows = session.execute(query.order_by(Message.created_at.desc(), Message.id.desc())
                           .limit(limit + 1)).scalars().all()
    return {"items": [public(m) for m in rows[:limit]],
            "next_cursor": _encode(rows[limit - 1]) if len(rows) > limit else None}


def unread_count(session, user_id):
    return len(session.execute(select(Message.id).where(
        Message.user_id == user_id, Message.channel.in_(LISTED),
        Message.read_at.is_(None))).all())


def mark_read(session, user_id, message_id):
    """Marks one of the user's own notices read; another user's is NotFound."""
    message = session.get(Message, str(message_id))
    if message is None or message.user_id != user_id or message.channel not in LISTED:
        raise NotFound("No such message.")
    if message.read_at is None:
        message.read_at = clock.now()
