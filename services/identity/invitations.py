"""Inviting someone to an account: a single-use token (256 bits, stored as SHA-256, valid 7
days) mailed by a direct RPC to notifications, never on an event; accepting it creates an
online ID with the invited role on that account."""
import uuid
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from services.contracts.errors import Conflict, InvalidInput, Refused
from services.contracts.identity import InvitationAccept, InviteRequest
from services.identity import passwords
from services.identity.memberships import check_role
from services.identity.models import Invitation, Membership, User
from services.identity.onlineids import TAKEN, load, username_taken
from services.identity.sessions import digest, new_secret
from services.identity.throttle import _aware

LIFETIME = timedelta(days=7)
BAD_TOKEN = ("This invitation link is not valid any more (used, expired or unknown). Ask the "
             "account's admin for a new one.")


def load_invite(payload):
    data = load(InviteRequest, payload)
    check_role(data["role"])
    return data


def create(session, account_number, email, role, invited_by, at):
    """Stores an invitation; returns the token (to mail, never to log or emit)."""
    token = new_secret()
    session.add(Invitation(token_hash=digest(token), account_number=account_number,
                           email=email, role=role, invited_by=invited_by, created_at=at,
                           expires_at=at + LIFETIME))
    return token


def link(public_url, token):
    return f"{public_url.rstrip('/')}/invitations/accept?token={token}"


def load_accept(payload):
    """Validates an acceptance (schema, then the password rules); InvalidInput."""
    data = load(InvitationAccept, payload)
    refused = passwords.problems(data["password"], data["username"])
    if refused:
        raise InvalidInput({"password": refused})
    return data


def pending(session, token, at):
    row = session.get(Invitation, digest(token))
    if row is None or row.accepted_at is not None or _aware(row.expires_at) <= at:
        raise Refused(BAD_TOKEN)
    return row


def accept(session, token, data, password_hash, at):
    """Spends the invitation and creates the user with its role; returns (User, Invitation).
    Refused (token), Conflict (username taken)."""
    row = pending(session, token, at)
    if username_taken(session, data["username"]):
        raise Conflict(TAKEN)
    spent = session.execute(update(Invitation).where(
        Invitation.token_hash == row.token_hash, Invitation.accepted_at.is_(None)
    ).values(accepted_at=at)).rowcount
    if spent != 1:  # a concurrent acceptance won
        raise Refused(BAD_TOKEN)
    user = User(id=str(uuid.uuid4()), username=data["username"],
                username_key=data["username"].lower(), email=row.email,
                email_key=row.email.lower(), first_name=data["first_name"],
                last_name=data["last_name"], password_hash=password_hash, created_at=at,
                password_changed_at=at)
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(TAKEN) from None
    session.add(Membership(user_id=user.id, account_number=row.account_number,
                           role=row.role, created_at=at))
    row.accepted_user_id = user.id
    return user, row
