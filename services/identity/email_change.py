"""Changing a user's email without handing a stolen session the account.

A new email is asked for with the current password and takes effect only when the link
mailed to the new address is followed: a token of 256 random bits, stored as SHA-256,
single use, valid 30 minutes; a newer request ends the older ones, and so does a new
password (changed or reset: what the alert to the old address tells its owner to do), so a
change asked for with a stolen password dies when the owner takes the account back. Until
then the old address keeps getting everything (reset links, security alerts), and it is told
at once.
"""
from datetime import timedelta

from sqlalchemy import select, update

from services.contracts.errors import Refused
from services.identity.models import EmailChange
from services.identity.sessions import digest, new_secret
from services.runtime import clock

LIFETIME = timedelta(minutes=30)
NEEDS_PASSWORD = "Enter your current password to change your email."
BAD_TOKEN = ("This link to confirm a new email is not valid any more. Change your email "
             "again on the Security page to get a new one.")


def wanted(user, data):
    """The new address asked for in a loaded profile change, or None (none, or the same)."""
    email = data.get("email")
    return email if email and email != user.email else None



def start(session, user, new_email, at, session_id=None):
    """Stores a pending change (ending the user's earlier ones); returns the token (to mail
    to the new address, never to log)."""
    end_pending(session, user.id, at)
    token = new_secret()
    session.add(EmailChange(token_hash=digest(token), user_id=user.id, new_email=new_email,
                            session_id=session_id, created_at=at,
                            expires_at=at + LIFETIME))
    return token


def link(public_url, token):
    return f"{public_url.rstrip('/')}/confirm-email?token={token}"


def end_pending(session, user_id, at):
    session.execute(update(EmailChange).where(
        EmailChange.user_id == user_id, EmailChange.used_at.is_(None)).values(used_at=at))


def _live(row, user, at):
    """Unused, unexpired and asked for since the user's password last changed."""
    return row is not None and row.used_at is None and clock.as_utc(row.expires_at) > at \
        and clock.as_utc(row.created_at) >= clock.as_utc(user.password_changed_at)


def pending(session, user, at):
    """The address waiting for its link, or None."""
    row = session.execute(select(EmailChange).where(
        EmailChange.user_id == user.id, EmailChange.used_at.is_(None))
        .order_by(EmailChange.created_at.desc())).scalars().first()
    return row.new_email if _live(row, user, at) else None


def take(session, token, at, user_of):
    """Spends ``token``; returns its row. ``user_of(user_id)`` gives its user. Raises Refused
    (unknown, used, expired, asked for before the password last changed; or spent by a
    concurrent confirmation: a conditional update, so it works once)."""
    row = session.get(EmailChange, digest(token))
    if row is None or not _live(row, user_of(row.user_id), at):
        raise Refused(BAD_TOKEN)
    spent = session.execute(update(EmailChange).where(
        EmailChange.token_hash == row.token_hash, EmailChange.used_at.is_(None)
    ).values(used_at=at)).rowcount
    if spent != 1:
        raise Refused(BAD_TOKEN)
    return row


def apply(user, new_email):
    user.email, user.email_key = new_email, new_email.lower()
