"""Inviting someone to an account: a single-use token (256 bits, stored as SHA-256, valid 7
days) mailed by a direct RPC to notifications, never on an event; accepting it creates an
online ID with the invited role on that account.

An invitation is only as good as the admin who sent it: admins list the pending ones and
revoke any, removing or demoting an admin revokes the ones they sent, and accepting checks
that the inviter is still an admin of the account (else the same refusal as a bad token)."""
import uuid
from datetime import timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from services import contracts
from services.contracts import identity as contract
from services.contracts import paging
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from services.contracts.identity import InvitationAccept, InviteRequest
from services.identity import passwords
from services.identity.availability import UNAVAILABLE, check_username
from services.identity.memberships import check_role
from services.identity.models import Invitation, Membership, User
from services.identity.onlineids import account_role
from services.runtime import clock
from services.runtime.secret_tokens import digest, new_secret

LIFETIME = timedelta(days=7)
BAD_TOKEN = ("This invitation link is not valid any more (used, expired or unknown). Ask the "
             "account's admin for a new one.")
TOO_MANY_TRIES = "Too many tries with this invitation. Wait a moment and try again."
NO_SUCH = "No such pending invitation on this account."


def load_invite(payload):
    data = contracts.load(InviteRequest, payload)
    check_role(data["role"])
    return data


def create(session, account_number, email, role, invited_by, at):
    """Stores an invitation; returns ``(token, id)`` (the token to mail, never to log or
    emit; the id is what admins see)."""
    token, invitation_id = new_secret(), str(uuid.uuid4())
    session.add(Invitation(token_hash=digest(token), id=invitation_id,
                           account_number=account_number, email=email, role=role,
                           invited_by=invited_by, created_at=at, expires_at=at + LIFETIME))
    return token, invitation_id


def link(public_url, token):
    return f"{public_url.rstrip('/')}/invitations/accept?token={token}"


def load_accept(payload):
    """Validates an acceptance (schema, then the password rules); InvalidInput."""
    data = contracts.load(InvitationAccept, payload)
    refused = passwords.problems(data["password"], data["username"])
    if refused:
        raise InvalidInput({"password": refused})
    return data


def _pending_filter(at):
    return and_(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
                Invitation.expires_at > at)


def pending(session, token, at):
    """The invitation of ``token`` if it is unused, unrevoked, unexpired and its inviter is
    still an admin of the account; else Refused (one message for all of them)."""
    row = session.get(Invitation, digest(token))
    if row is None or row.accepted_at is not None or row.revoked_at is not None \
            or clock.as_utc(row.expires_at) <= at \
            or account_role(session, row.invited_by, row.account_number) != "admin":
        raise Refused(BAD_TOKEN)
    return row


def accept(session, token, data, password_hash, at):
    """Spends the invitation and creates the user with its role; returns (User, Invitation).
    Refused (token), Conflict (username not available: availability's one message)."""
    row = pending(session, token, at)
    check_username(session, data["username"])
    spent = session.execute(update(Invitation).where(
        Invitation.token_hash == row.token_hash, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).values(accepted_at=at)).rowcount
    if spent != 1:  # a concurrent acceptance or revocation won
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
        raise Conflict(UNAVAILABLE) from None
    session.add(Membership(user_id=user.id, account_number=row.account_number,
                           role=row.role, created_at=at))
    row.accepted_user_id = user.id
    return user, row


def public(row, inviter_username):
    return contracts.dump(contract.PendingInvitation, row, invited_by=inviter_username)


CURSOR = paging.Cursor("invitations", paging.MOMENT, paging.text(36))


def list_pending(session, account_number, at, limit=None, cursor=None):
    """``{items: [public(...)], next_cursor}``: the account's pending invitations, newest
    first. Raises InvalidInput (``limit``, ``cursor``: contracts.paging)."""
    limit = paging.checked_limit(limit)
    query = select(Invitation, User.username).outerjoin(
        User, User.id == Invitation.invited_by).where(
        Invitation.account_number == account_number, _pending_filter(at))
    if cursor:
        created_at, invitation_id = CURSOR.decode(cursor)
        query = query.where(or_(Invitation.created_at < created_at, and_(
            Invitation.created_at == created_at, Invitation.id < invitation_id)))
    rows = session.execute(query.order_by(Invitation.created_at.desc(), Invitation.id.desc())
                           .limit(limit + 1)).all()
    more, rows = len(rows) > limit, rows[:limit]
    last = rows[-1][0] if rows else None
    return {"items": [public(row, username) for row, username in rows],
            "next_cursor": CURSOR.encode(last.created_at, last.id) if more else None}


def _revoke(session, condition, at, reason):
    rows = session.execute(select(Invitation).where(condition, _pending_filter(at))
                           .with_for_update()).scalars().all()
    for row in rows:
        row.revoked_at, row.revoked_reason = at, reason
    return rows


def revoke(session, account_number, invitation_id, at):
    """Revokes one pending invitation of the account; returns it. NotFound otherwise."""
    rows = _revoke(session, and_(Invitation.account_number == str(account_number),
                                 Invitation.id == str(invitation_id)), at, "revoked")
    if not rows:
        raise NotFound(NO_SUCH)
    return rows[0]


def revoke_sent_by(session, account_number, user_id, at, reason):
    """Revokes every pending invitation ``user_id`` sent on the account (they stopped being
    its admin); returns them."""
    return _revoke(session, and_(Invitation.account_number == str(account_number),
                                 Invitation.invited_by == str(user_id)), at, reason)
