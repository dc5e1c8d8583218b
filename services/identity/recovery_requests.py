"""Forgot-password and forgot-username requests that survive the process dying.

The answer does the same work whether or not anyone has that name (no enumeration by
timing): it reserves the allowance and records a ``recovery_requests`` row in one
transaction, answers, and hands the row's id to a background greenthread for the lookup,
token and mail. Should the process die before or during that work, identity's sweep takes
every request not done ``GRACE`` after it was asked (or after a worker claimed it) and does
it; a claim is a conditional UPDATE, so of several replicas (or a late greenthread and the
sweep) one does each request at a time.

At least once, never lost: the token is issued when the request is claimed, the mail is
handed to notifications by RPC and waited for (notifications records it before answering
and delivers it, retrying, from its own table), and only then is the request marked done.
A process dying between notifications' answer and the mark (or an answer that came too late)
means the request is done again after ``GRACE``: a second mail, whose new reset link ends the
first one's (recovery.new_reset). A duplicate mail is the price; a lost one is not paid.
What was typed and the address are blanked once done; done rows are deleted after a day.
"""
import logging
import uuid
from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from services.identity import onlineids, recovery
from services.identity.models import RecoveryRequest

log = logging.getLogger(__name__)

GRACE = timedelta(seconds=30)    # longer than a worker needs (RPC_TIMEOUT bounds the mail)
SWEEP_SECONDS = 10
BATCH = 100
KEEP_DONE = timedelta(days=1)
GIVE_UP = timedelta(days=1)      # a request failing this long is a bug: logged, not retried
KINDS = ("password_reset", "username_reminder")


def record(session, kind, identifier, ip, at):
    """Records a request (in the transaction that reserved its allowance); returns its id."""
    request_id = str(uuid.uuid4())
    session.add(RecoveryRequest(id=request_id, kind=kind, identifier=str(identifier),
                                ip=None if ip is None else str(ip), requested_at=at))
    return request_id


def _free(at):
    return or_(RecoveryRequest.claimed_at.is_(None), RecoveryRequest.claimed_at < at - GRACE)


def claim(session, request_id, at):
    """``(kind, identifier)`` when this caller took the request (not done, and nobody else
    holds it); None otherwise."""
    taken = session.execute(update(RecoveryRequest).where(
        RecoveryRequest.id == request_id, RecoveryRequest.done_at.is_(None), _free(at)
    ).values(claimed_at=at)).rowcount == 1
    if not taken:
        return None
    row = session.get(RecoveryRequest, request_id)
    return row.kind, row.identifier


def finish(session, request_id, at):
    session.execute(update(RecoveryRequest).where(
        RecoveryRequest.id == request_id, RecoveryRequest.done_at.is_(None)
    ).values(done_at=at, identifier=None, ip=None))


def due(session, at):
    """Ids of requests left undone: asked over ``GRACE`` ago and not held by a worker."""
    return list(session.execute(select(RecoveryRequest.id).where(
        RecoveryRequest.done_at.is_(None), RecoveryRequest.requested_at < at - GRACE,
        RecoveryRequest.requested_at >= at - GIVE_UP, _free(at)
    ).order_by(RecoveryRequest.requested_at).limit(BATCH)).scalars())


def prune(session, at):
    """Deletes requests done over ``KEEP_DONE`` ago; gives up (loudly) on any undone one
    older than ``GIVE_UP``."""
    stale = update(RecoveryRequest).where(
        RecoveryRequest.done_at.is_(None), RecoveryRequest.requested_at < at - GIVE_UP
    ).values(done_at=at, identifier=None, ip=None)
    given_up = session.execute(stale).rowcount
    if given_up:
        log.error("gave up on %d recovery request(s) still failing after %s", given_up, GIVE_UP)
    session.execute(delete(RecoveryRequest).where(RecoveryRequest.done_at < at - KEEP_DONE))


def mail_for(session, kind, identifier, at, public_url):
    """The ``send_email`` arguments a request calls for (issuing a reset token for a user
    who exists), or None when nobody has that username or email."""
    if kind == "password_reset":
        user = onlineids.find_by_username(session, identifier)
        if user is None:
            return None
        token = recovery.new_reset(session, user, at)
        return {"to": user.email, "category": "security", "template": "password_reset",
                "context": {"link": recovery.reset_link(public_url, token),
                            "first_name": user.first_name,
                            "minutes": int(recovery.RESET_LIFETIME.total_seconds() // 60)},
                "user_id": user.id, "secret_keys": ["link"]}
    users = onlineids.find_by_email(session, identifier)
    if not users:
        return None
    return {"to": users[0].email,  # to the address as the user registered it
            "category": "security", "template": "username_reminder",
            "context": {"usernames": [u.username for u in users],
                        "first_name": users[0].first_name},
            "user_id": users[0].id, "secret_keys": ["usernames"]}
