"""A new paperless address gets bills only once the link mailed to it is followed.

Bills carry the account's security key, so a stolen admin session (or a typo) must not send
them elsewhere: asking for a new address stores a verification (a token of 256 random bits,
kept as SHA-256, single use, valid VERIFY_LIFETIME) and the account's delivery stays exactly
as it was until the link is followed. A newer request, or any other delivery change, ends
the older ones. The link mail carries the secret, so it goes to notifications by a direct
RPC (never an event) and its stored copy leaves the link out.
"""
from datetime import timedelta

from services.billing.models import InvoiceEmailVerification
from services.runtime.mailed_links import MailedLinks

VERIFY_LIFETIME = timedelta(hours=24)
BAD_TOKEN = ("This link to confirm where bills go is not valid any more. Choose the address "
             "again on the Account page to get a new one.")
LINKS = MailedLinks(InvoiceEmailVerification, "account_number", VERIFY_LIFETIME,
                    "/confirm-invoice-email", BAD_TOKEN)
link, end_pending = LINKS.link, LINKS.end_pending


def start(session, account_number, email, method, requested_by, at):
    """Stores a verification of ``email`` (ending the account's earlier ones); returns the
    token (to mail to ``email``, never to log)."""
    return LINKS.start(session, account_number, at, email=email, method=method,
                       requested_by=requested_by)


def pending(session, account_number, at):
    """The address waiting for its link, or None."""
    row = LINKS.latest(session, account_number)
    return row.email if LINKS.live(row, at) else None


def take(session, token, at):
    """Spends ``token`` (it works once); returns its row. Raises Refused when unknown, used,
    superseded or expired."""
    return LINKS.take(session, token, at)
