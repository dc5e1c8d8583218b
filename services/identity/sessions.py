"""Sessions and refresh tokens.

The gateway signs short-lived access tokens for sessions this module opens; it keeps a set of
sessions ended in the last access-token lifetime (fed by ``identity.session_ended``) so it
can refuse their tokens without asking here. Refresh tokens are 256 random bits, stored as
SHA-256, spent on use; showing a spent one again means it was stolen: the session ends.

A user sees their open sessions (``listing``) and ends any of them (``own_open`` then
``end``, or ``end_all`` keeping the current one). ``last_seen_at`` is written when a refresh
token is spent and when a gateway worker confirms the session (``seen``: at most every
SEEN_EVERY), never per request: the gateway checks tokens without asking here.
"""
import uuid
from datetime import timedelta

from sqlalchemy import and_, or_, select, update

from services import contracts
from services.contracts import identity as contract
from services.contracts import paging
from services.contracts.errors import NotFound, Unauthenticated
from services.identity.models import RefreshToken, Session
from services.runtime import clock
from services.runtime.secret_tokens import digest, new_secret

SESSION_LIFETIME = timedelta(hours=12)
# a gateway worker confirms a session once per access-token lifetime (600 s); a portal
# session is never refreshed, so this is how its last use shows
SEEN_EVERY = timedelta(minutes=5)
EXPIRED = "Your session has ended. Please sign in again."
NO_SUCH = "No such session of yours is open."
ID_CHARS = 36  # a session id (uuid4): a longer one names none


def open_session(session, user_id, at, ip=None, user_agent=None):
    """Opens a session; returns ``(Session, refresh_token)``."""
    row = Session(id=str(uuid.uuid4()), user_id=user_id, created_at=at,
                  expires_at=at + SESSION_LIFETIME, last_seen_at=at,
                  ip=(ip or None) and ip[:64],
                  user_agent=(user_agent or None) and user_agent[:200])
    session.add(row)
    session.flush()
    return row, _new_refresh_token(session, row.id, at)


def _new_refresh_token(session, session_id, at):
    token = new_secret()
    session.add(RefreshToken(token_hash=digest(token), session_id=session_id, created_at=at))
    return token


def is_active(row, at):
    return row is not None and row.ended_at is None and clock.as_utc(row.expires_at) > at


def refresh(session, token, at):
    """Spends ``token``; returns ``(Session, new_refresh_token)``, or ``(Session, None)`` when
    the token was already spent (the caller ends that session), or raises Unauthenticated."""
    stored = session.get(RefreshToken, digest(token))
    if stored is None:
        raise Unauthenticated(EXPIRED)
    row = session.get(Session, stored.session_id)
    if not is_active(row, at):
        raise Unauthenticated(EXPIRED)
    # a conditional update, so two concurrent uses of one token cannot both succeed
    spent = session.execute(update(RefreshToken).where(
        RefreshToken.token_hash == stored.token_hash, RefreshToken.spent_at.is_(None)
    ).values(spent_at=at)).rowcount
    if spent != 1:
        return row, None
    row.last_seen_at = at
    return row, _new_refresh_token(session, row.id, at)


def seen(row, at):
    """Notes that session ``row`` was used at ``at``, unless that was noted within
    SEEN_EVERY (so a session confirmed by many gateway workers is written rarely)."""
    last = row.last_seen_at and clock.as_utc(row.last_seen_at)
    if last is None or last <= at - SEEN_EVERY:
        row.last_seen_at = at


def _open(user_id, at):
    return and_(Session.user_id == user_id, Session.ended_at.is_(None),
                Session.expires_at > at)


def public(row, current_id):
    """A session as its user sees it (never a token)."""
    return contracts.dump(contract.SessionItem, row,
                          last_seen_at=row.last_seen_at or row.created_at,
                          current=row.id == current_id)


CURSOR = paging.Cursor("sessions", paging.MOMENT, paging.text(ID_CHARS))


def listing(session, user_id, current_id, at, limit=None, cursor=None):
    """``{items: [public(...)], next_cursor}``: the user's open sessions, newest first.
    Raises InvalidInput (``limit``, ``cursor``: contracts.paging)."""
    limit = paging.checked_limit(limit)
    query = select(Session).where(_open(user_id, at))
    if cursor:
        created_at, session_id = CURSOR.decode(cursor)
        query = query.where(or_(Session.created_at < created_at, and_(
            Session.created_at == created_at, Session.id < session_id)))
    rows = session.execute(query.order_by(Session.created_at.desc(), Session.id.desc())
                           .limit(limit + 1)).scalars().all()
    more, rows = len(rows) > limit, rows[:limit]
    last = rows[-1] if rows else None
    return {"items": [public(row, current_id) for row in rows],
            "next_cursor": CURSOR.encode(last.created_at, last.id) if more else None}


def own_open(session, user_id, session_id, at):
    """The open session ``session_id`` of ``user_id``, held locked; NotFound otherwise
    (another user's session is not found either: nothing says it exists)."""
    session_id = str(session_id)
    row = None if len(session_id) > ID_CHARS else session.execute(
        select(Session).where(Session.id == session_id).with_for_update()).scalar_one_or_none()
    if row is None or row.user_id != user_id or not is_active(row, at):
        raise NotFound(NO_SUCH)
    return row


def end(session, row, at, reason):
    """Ends session ``row``; returns the ``session_ended`` event data, or None if it had ended."""
    if row is None or row.ended_at is not None:
        return None
    row.ended_at, row.ended_reason = at, reason
    return {"user_id": row.user_id, "session_id": row.id, "reason": reason}


def end_all(session, user_id, at, reason, keep=None):
    """Ends every open session of ``user_id`` (but ``keep``); returns their event data."""
    rows = session.execute(select(Session).where(
        Session.user_id == user_id, Session.ended_at.is_(None))).scalars().all()
    return [end(session, row, at, reason) for row in rows if row.id != keep]


def ended_since(session, since):
    """Ids of sessions ended at or after ``since`` (the gateway's start-up revocation list)."""
    return list(session.execute(select(Session.id).where(Session.ended_at >= since)).scalars())
