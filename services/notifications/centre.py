"""The message centre: every notice a user got (by email, or only in the portal when they
turned that email off), newest first, read or unread. Texts are not listed: they repeat an
entry that is."""
import uuid

from sqlalchemy import and_, or_, select

from services.contracts import paging
from services.contracts.errors import NotFound
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


CURSOR = paging.Cursor("notifications", paging.MOMENT, paging.text(36))


def listing(session, user_id, limit=None, cursor=None):
    """``{items, next_cursor}`` of the user's notices, newest first. Raises InvalidInput
    (``limit``, ``cursor``: contracts.paging)."""
    limit = paging.checked_limit(limit)
    query = select(Message).where(Message.user_id == user_id, Message.channel.in_(LISTED))
    if cursor:
        created, message_id = CURSOR.decode(cursor)
        query = query.where(or_(Message.created_at < created,
                                and_(Message.created_at == created, Message.id < message_id)))
    rows = session.execute(query.order_by(Message.created_at.desc(), Message.id.desc())
                           .limit(limit + 1)).scalars().all()
    return {"items": [public(m) for m in rows[:limit]],
            "next_cursor": CURSOR.encode(rows[limit - 1].created_at, rows[limit - 1].id)
            if len(rows) > limit else None}


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
