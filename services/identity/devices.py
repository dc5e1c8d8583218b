"""Browsers and addresses a user signed in from, for sign-in alerts: an email on each sign-in
from a browser or address not seen before (when the user asked for them). Only a SHA-256 of
the pair is kept."""
from sqlalchemy.exc import IntegrityError

from services.identity.models import KnownDevice
from services.identity.sessions import digest


def fingerprint(ip, user_agent):
    return digest(f"{ip or ''}|{user_agent or ''}")


def seen(session, user_id, ip, user_agent, at):
    """Remembers this browser and address; True when it was known already."""
    key = fingerprint(ip, user_agent)
    if session.get(KnownDevice, (user_id, key)) is not None:
        return True
    try:
        with session.begin_nested():  # a concurrent sign-in from the same place
            session.add(KnownDevice(user_id=user_id, fingerprint=key, first_seen_at=at))
    except IntegrityError:
        return True
    return False
