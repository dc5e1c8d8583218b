"""A new paperless address gets bills only once the link mailed to it is followed.

Bills carry the account's security key, so a stolen admin session (or a typo) must not send
them elsewhere: asking for a new address stores a verification (a token of 256 random bits,
kept as SHA-256, single use, valid VERIFY_LIFETIME) and the account's delivery stays exactly
as it was until the link is followed. A newer request, or any other delivery change, ends
the older ones. The link mail carries the secret, so it goes to notifications by a direct
RPC (never an event) and its stored copy leaves the link out.
"""
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from services.billing.models import InvoiceEmailVerification
from services.contracts.errors import Refused
from services.runtime import clock

VERIFY_LIFETIME = timedelta(hours=24)
BAD_TOKEN = ("This link to confirm where bills go is not valid any more. Choose the address "
             "again on the Account page to get a new one.")


def _digest(token):
    return hashlib.sha256(str(token).encode()).hexdigest()



def end_pending(session, account_number, at):
    session.execute(update(InvoiceEmailVerification).where(
        InvoiceEmailVerification.account_number == account_number,
        InvoiceEmailVerification.used_at.is_(None)).values(used_at=at))


def start(session, account_number, email, method, requested_by, at):
    """Stores a verification of ``email`` (ending the account's earlier ones); returns the
    token (to mail to ``email``, never to log)."""
    end_pending(session, account_number, at)
    token = secrets.token_urlsafe(32)
    session.add(InvoiceEmailVerification(
        token_hash=_digest(token), account_number=account_number, email=email, method=method,
        requested_by=requested_by, created_at=at, expires_at=at + VERIFY_LIFETIME))
    return token


def link(public_url, token):
    return f"{public_url.rstrip('/')}/confirm-invoice-email?token={token}"


def pending(session, account_number, at):
    """The address waiting for its link, or None."""
    row = session.execute(select(InvoiceEmailVerification).where(
        InvoiceEmailVerification.account_number == account_number,
        InvoiceEmailVerification.used_at.is_(None))
        .order_by(InvoiceEmailVerification.created_at.desc())).scalars().first()
    return row.email if row is not None and clock.as_utc(row.expires_at) > at else None


def take(session, token, at):
    """Spends ``token`` (a conditional update: it works once); returns its row. Raises
    Refused when unknown, used, superseded or expired."""
    row = session.get(InvoiceEmailVerification, _digest(token))
    if row is None or row.used_at is not None or clock.as_utc(row.expires_at) <= at:
        raise Refused(BAD_TOKEN)
    if session.execute(update(InvoiceEmailVerification).where(
            InvoiceEmailVerification.token_hash == row.token_hash,
            InvoiceEmailVerification.used_at.is_(None)).values(used_at=at)).rowcount != 1:
        raise Refused(BAD_TOKEN)
    return row
