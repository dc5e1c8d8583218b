"""Sessions and refresh tokens.

The gateway signs short-lived access tokens for sessions this module opens; it keeps a set of
sessions ended in the last access-token lifetime (fed by ``identity.session_ended``) so it
can refuse their tokens without asking here. Refresh tokens are 256 random bits, stored as
SHA-256, spent on use; showing a spent one again means it was stolen: the session ends.
"""
import uuid
from datetime import timedelta

from sqlalchemy import select, update

from services.contracts.errors import Unauthenticated
from services.identity.models import RefreshToken, Session
from services.runtime import clock
from services.runtime.secret_tokens import digest, new_secret

SESSION_LIFETIME = timedelta(hours=12)
EXPIRED = "Your session has ended. Please sign in again."


def open_session(session, user_id, at, ip=None, user_agent=None):
    """Opens a session; returns ``(Session, refresh_token)``."""
    row = Session(id=str(uuid.uuid4()), user_id=user_id, created_at=at,
                  expires_at=at + SESSION_LIFETIME, ip=(ip or None) and ip[:64],
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
    return row, _new_refresh_token(session, row.id, at)


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
