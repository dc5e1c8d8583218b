"""WebAuthn challenges: random bytes a browser's authenticator signs, kept server-side so a
response can be checked against the one we issued. Each is single use (spent by a
conditional update: two racing responses cannot both use it), lives five minutes, serves one
purpose (register | sign_in | second_step) and, when issued to a signed-in user, only that
user. A challenge is not a secret (the browser shows it to the authenticator), so it is kept
as issued."""
import uuid
from datetime import timedelta

from sqlalchemy import delete, update

from services.contracts.errors import InvalidInput
from services.identity.models import WebauthnChallenge
from services.runtime import clock
from webauthn.helpers import bytes_to_base64url, generate_challenge

LIFETIME = timedelta(minutes=5)
PURPOSES = ("register", "sign_in", "second_step")
EXPIRED = "This passkey request has expired or was already used. Start again."
ID_CHARS = 36


def issue(session, purpose, at, user_id=None):
    """A new challenge; returns ``(challenge_id, challenge bytes)``. Old ones are pruned."""
    assert purpose in PURPOSES
    session.execute(delete(WebauthnChallenge).where(WebauthnChallenge.expires_at < at - LIFETIME))
    challenge = generate_challenge()
    row = WebauthnChallenge(id=str(uuid.uuid4()), user_id=user_id, purpose=purpose,
                            challenge=bytes_to_base64url(challenge), expires_at=at + LIFETIME)
    session.add(row)
    return row.id, challenge


def spend(session, challenge_id, purpose, at, user_id=None, field="challenge_id"):
    """Spends the challenge ``challenge_id`` issued for ``purpose`` (and ``user_id`` when it
    was issued to one); returns its base64url text. InvalidInput (``field``, one message)
    for an unknown, used, expired one, another purpose's or another user's."""
    challenge_id = str(challenge_id or "")[:ID_CHARS + 1]
    row = session.get(WebauthnChallenge, challenge_id) if len(challenge_id) <= ID_CHARS else None
    fits = (row is not None and row.purpose == purpose and row.used_at is None
            and clock.as_utc(row.expires_at) > at and row.user_id == user_id)
    if not fits or session.execute(update(WebauthnChallenge).where(
            WebauthnChallenge.id == row.id, WebauthnChallenge.used_at.is_(None)
    ).values(used_at=at)).rowcount != 1:
        raise InvalidInput({field: [EXPIRED]})
    return row.challenge
