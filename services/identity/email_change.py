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

from services.identity.models import EmailChange
from services.runtime.mailed_links import MailedLinks
from services.runtime import clock

LIFETIME = timedelta(minutes=30)
NEEDS_PASSWORD = "Enter your current password to change your email."
BAD_TOKEN = ("This link to confirm a new email is not valid any more. Change your email "
             "again on the Security page to get a new one.")
LINKS = MailedLinks(EmailChange, "user_id", LIFETIME, "/confirm-email", BAD_TOKEN)


def wanted(user, data):
    """The new address asked for in a loaded profile change, or None (none, or the same)."""
    email = data.get("email")
    return email if email and email != user.email else None


def start(session, user, new_email, at, session_id=None):
    """Stores a pending change (ending the user's earlier ones); returns the token (to mail
    to the new address, never to log)."""
    return LINKS.start(session, user.id, at, new_email=new_email, session_id=session_id)


link, end_pending = LINKS.link, LINKS.end_pending


def _since_password(row, user):
    """Asked for since the user's password last changed."""
    return clock.as_utc(row.created_at) >= clock.as_utc(user.password_changed_at)


def pending(session, user, at):
    """The address waiting for its link, or None."""
    row = LINKS.latest(session, user.id)
    return row.new_email if LINKS.live(row, at) and _since_password(row, user) else None


def take(session, token, at, user_of):
    """Spends ``token``; returns its row. ``user_of(user_id)`` gives its user. Raises Refused
    (unknown, used, expired, asked for before the password last changed; or spent by a
    concurrent confirmation: it works once)."""
    return LINKS.take(session, token, at,
                      valid=lambda row: _since_password(row, user_of(row.user_id)))


def apply(user, new_email):
    user.email, user.email_key = new_email, new_email.lower()
