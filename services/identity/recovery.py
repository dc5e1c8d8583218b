"""Recovering a forgotten ID or password, and changing a password.

Reset tokens are 256 random bits, mailed once, stored as SHA-256, single-use, valid 30
minutes, and they die together: issuing one, using one, or changing the password any other
way (or the email) ends every other outstanding token of the user, so an old mail found in a
mailbox later opens nothing. The mail goes to notifications by a direct RPC: secrets never
travel on events.
"""
from datetime import timedelta

from sqlalchemy import update

from services.contracts.errors import InvalidInput, Refused
from services.identity import passwords
from services.identity.models import PasswordReset
from services.runtime import clock
from services.runtime.secret_tokens import digest, new_secret

RESET_LIFETIME = timedelta(minutes=30)
BAD_TOKEN = "This reset link is not valid any more. Ask for a new one."
WRONG_ANSWER = "The answer to your challenge question does not match."
TOO_MANY_ANSWERS = "Too many wrong answers. Wait a moment and try again."


def new_reset(session, user, at):
    """Stores a reset token for ``user`` (ending the earlier ones); returns the token (to
    mail, never to log)."""
    end_resets(session, user.id, at)
    token = new_secret()
    session.add(PasswordReset(token_hash=digest(token), user_id=user.id, created_at=at,
                              expires_at=at + RESET_LIFETIME))
    return token


def reset_link(public_url, token):
    return f"{public_url.rstrip('/')}/reset-password?token={token}"


def pending_reset(session, token, at):
    """The reset row for ``token`` if it is unused and unexpired; else Refused."""
    row = session.get(PasswordReset, digest(token))
    if row is None or row.used_at is not None or clock.as_utc(row.expires_at) <= at:
        raise Refused(BAD_TOKEN)
    return row


def check_new_password(user, new_password, field="new_password"):
    refused = passwords.problems(new_password, user.username)
    if refused:
        raise InvalidInput({field: refused})


def check_challenge(user, answer_matches):
    if user.challenge_answer_hash and not answer_matches:
        raise Refused(WRONG_ANSWER, {"challenge_required": True})


def normalise_answer(answer):
    """Answers are compared ignoring case and spacing: people type them differently."""
    return " ".join(str(answer or "").lower().split())


def use_reset(session, row, at):
    """Spends a reset token, ending the user's others; False when a concurrent reset spent
    it first."""
    spent = session.execute(update(PasswordReset).where(
        PasswordReset.token_hash == row.token_hash, PasswordReset.used_at.is_(None)
    ).values(used_at=at)).rowcount == 1
    if spent:
        end_resets(session, row.user_id, at)
    return spent


def end_resets(session, user_id, at):
    """Every outstanding reset token of the user stops working (marked used)."""
    session.execute(update(PasswordReset).where(
        PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None)
    ).values(used_at=at))


def set_password(user, password_hash, at):
    user.password_hash = password_hash
    user.password_changed_at = at


def check_current(matches):
    if not matches:
        raise InvalidInput({"current_password": ["Your current password is not right."]})
