"""Browsers and addresses a user signed in from: for sign-in alerts (an email on each sign-in
from a browser or address not seen before, when the user asked for them), and for the
address throttle (throttle.sign_in_wait: a flood from an address does not stop the people who
signed in from there before). Only SHA-256 digests are kept: of the browser and address
together, and of the address alone (prefixed, so the two kinds never collide)."""
from sqlalchemy.exc import IntegrityError

from services.identity.models import KnownDevice
from services.runtime.secret_tokens import digest


def fingerprint(ip, user_agent):
    return digest(f"{ip or ''}|{user_agent or ''}")


def address_fingerprint(ip):
    return digest(f"address:{ip or ''}")


def _remember(session, user_id, key, at):
    """True when it was known already."""
    if session.get(KnownDevice, (user_id, key)) is not None:
        return True
    try:
        with session.begin_nested():  # a concurrent sign-in from the same place
            session.add(KnownDevice(user_id=user_id, fingerprint=key, first_seen_at=at))
    except IntegrityError:
        return True
    return False


def seen(session, user_id, ip, user_agent, at):
    """Remembers this browser and address (and the address alone); True when the pair was
    known already."""
    _remember(session, user_id, address_fingerprint(ip), at)
    return _remember(session, user_id, fingerprint(ip, user_agent), at)


def address_known(session, user_id, ip):
    """True when ``user_id`` signed in successfully from ``ip`` before."""
    return bool(user_id and ip) and session.get(
        KnownDevice, (user_id, address_fingerprint(ip))) is not None
