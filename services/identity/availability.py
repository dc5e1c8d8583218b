"""Whether a new online ID can be made, answered without telling a stranger which usernames
exist: the account claim (number and key, checked by billing first) or the invitation comes
before the username, and every clash is the same conflict, whatever clashed."""
from sqlalchemy import select

from services.contracts.errors import Conflict
from services.identity.models import AccountClaim, User

UNAVAILABLE = ("We could not create this online ID: the username is not available, or the "
               "account already has an online ID. Choose another username, or ask the "
               "account's administrator to invite you.")


def username_free(session, username):
    return session.execute(select(User.id).where(
        User.username_key == str(username).lower())).first() is None


def check_signup(session, account_number, username):
    """Conflict (one message) when the account has its first ID or the username is taken;
    the claim is looked at first, so a claimed account says nothing about usernames."""
    if session.get(AccountClaim, account_number) is not None \
            or not username_free(session, username):
        raise Conflict(UNAVAILABLE)


def check_username(session, username):
    if not username_free(session, username):
        raise Conflict(UNAVAILABLE)
