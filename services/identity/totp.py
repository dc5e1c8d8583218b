"""2-step sign-in with an authenticator app (RFC 6238 TOTP, pyotp), and recovery codes.

A code is accepted for the current 30-second step and one step either side (clock drift),
and only once: the step it matched is stored and a code of that step or an earlier one is
refused afterwards. Recovery codes are ten random 10-character codes (50 bits each), shown
once at set-up, stored as SHA-256 (enough for random secrets), each usable once. The TOTP
secret itself is sealed at rest (sealing.py) under ``secret_key`` (the SECRET_KEY setting).
"""
import hmac
import re
import secrets
from datetime import datetime

import pyotp
from sqlalchemy import or_, select, update

from services.contracts import validators
from services.contracts.errors import Conflict, InvalidInput
from services.identity.models import RecoveryCode, User
from services.identity.sealing import seal, unseal
from services.runtime.secret_tokens import digest

ISSUER = "BizPortal"
RECOVERY_COUNT = 10
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE = re.compile(validators.TOTP_CODE_FORM)  # fullmatch: "$" would also take a final newline
NEEDED = "Enter the 6-digit code from your authenticator app (or a recovery code)."
WRONG = "That code is not right, or it was already used. Enter the current code."
ALREADY_ON = "2-step sign-in is already on. Turn it off first to set it up again."
NOT_SET_UP = "Set up 2-step sign-in first: there is no code to confirm."


def new_secret():
    return pyotp.random_base32()


def otpauth_uri(secret, username):
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(secret, code, at):
    """The time step ``code`` is valid for around ``at`` (one step of drift), or None."""
    if not secret or not isinstance(code, str) or not CODE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret)
    step = totp.timecode(at)
    for candidate in (step - 1, step, step + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def use_step(session, user_id, step):
    """Records ``step`` as used; False when it (or a later one) was used already: a code
    works once. A conditional update, so two racing sign-ins cannot both spend it."""
    return session.execute(update(User).where(
        User.id == user_id, or_(User.totp_last_step.is_(None), User.totp_last_step < step)
    ).values(totp_last_step=step)).rowcount == 1


def normalise_recovery(code):
    return "".join(str(code or "").upper().split()).replace("-", "")


def new_recovery_codes(session, user_id, at):
    """Replaces the user's recovery codes with ten new ones; returns them (shown once)."""
    for row in session.execute(select(RecoveryCode).where(
            RecoveryCode.user_id == user_id)).scalars():
        session.delete(row)
    session.flush()
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10))
             for _ in range(RECOVERY_COUNT)]
    for code in codes:
        session.add(RecoveryCode(code_hash=digest(f"{user_id}:{code}"), user_id=user_id,
                                 created_at=at))
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def use_recovery_code(session, user_id, code, at):
    """Spends a recovery code; False when unknown or used."""
    hashed = digest(f"{user_id}:{normalise_recovery(code)}")
    return session.execute(update(RecoveryCode).where(
        RecoveryCode.code_hash == hashed, RecoveryCode.user_id == user_id,
        RecoveryCode.used_at.is_(None)).values(used_at=at)).rowcount == 1


def recovery_codes_left(session, user_id):
    return len(session.execute(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))).all())


def second_step(session, user, code, at: datetime, secret_key):
    """For a user with 2-step sign-in on: spends ``code`` (a TOTP code or a recovery code).
    Returns "totp" or "recovery_code" when it worked, "missing" or "wrong" (also: used)."""
    if not code:
        return "missing"
    step = matching_step(unseal(user.totp_secret, secret_key), code, at)
    if step is not None:
        return "totp" if use_step(session, user.id, step) else "wrong"
    if not CODE.fullmatch(str(code)) and use_recovery_code(session, user.id, code, at):
        return "recovery_code"
    return "wrong"


def start(user, secret_key):
    """Begins set-up: a pending secret (2-step is on only once confirmed); returns it."""
    if user.totp_secret:
        raise Conflict(ALREADY_ON)
    secret = new_secret()
    user.totp_pending_secret = seal(secret, secret_key)
    return secret


def confirm(session, user, code, at, secret_key):
    """Turns 2-step on when ``code`` matches the pending secret; InvalidInput otherwise."""
    if user.totp_secret:
        raise Conflict(ALREADY_ON)
    if not user.totp_pending_secret:
        raise Conflict(NOT_SET_UP)
    step = matching_step(unseal(user.totp_pending_secret, secret_key), code, at)
    if step is None:
        raise InvalidInput({"code": ["That code does not match. Enter the current 6-digit "
                                     "code from your authenticator app."]})
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_last_step = step


def turn_off(session, user):
    user.totp_secret = user.totp_pending_secret = user.totp_last_step = None
    for row in session.execute(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id)).scalars():
        session.delete(row)
