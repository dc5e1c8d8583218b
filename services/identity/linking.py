"""Many accounts under one online ID: a signed-in user takes another account, with its number
and the key on its invoice, as its admin, when that account has no online ID yet.

An account that already has one answers exactly as a wrong number or key does (its admins
invite instead): whoever holds a number cannot learn from the answer whether it is claimed,
and the claim is looked at only after the key matched."""
from services import contracts
from services.contracts.errors import Refused
from services.contracts.identity import LinkAccountRequest
from services.identity.models import AccountClaim, Membership
from services.identity.onlineids import WRONG_KEY

ROLE = "admin"  # the first online ID of an account is its admin, as at sign-up


def load_request(payload):
    """``{account_number, security_key}``; raises InvalidInput."""
    return contracts.load(LinkAccountRequest, payload)


def link(session, user, account_number, key_matches, at):
    """Claims ``account_number`` for ``user`` as its admin. Raises Refused (WRONG_KEY) when
    the key did not match or the account has an online ID already (this user's own
    included): one refusal for all of them. A racing claim of the same account fails on the
    claim's primary key when the transaction commits (IntegrityError: see ``Refused`` in the
    entrypoint)."""
    if not key_matches or session.get(AccountClaim, account_number) is not None:
        raise Refused(WRONG_KEY)
    session.add(AccountClaim(account_number=account_number, user_id=user.id, created_at=at))
    session.add(Membership(user_id=user.id, account_number=account_number, role=ROLE,
                           created_at=at))
    session.flush()


def linked_event(user, account_number):
    return {"account_number": account_number, "user_id": user.id, "role": ROLE}
