"""Throttles: failed sign-ins per username and per client address, and allowances on what
mails someone or costs a hash (sign-up, reset links, username reminders, invitations).

Every attempt is reserved before the work it guards, in a transaction that holds the key's
row locked (``lock``): concurrent attempts on one key queue up on that row and each sees the
count the one before it left, so no burst slips past an allowance, on PostgreSQL and SQLite
alike. Sign-ins are counted as failures when reserved and given back when the password turns
out right.

Sign-in failures: each key gets a few free failures, then an exponential back-off (2 s, 4 s,
8 s... at most 15 minutes) from its last failure, and never more than HOURLY_LIMIT failures
in an hour. A throttled attempt is refused before any password is checked and not counted.
Keys exist for unknown usernames too, so throttling reveals nothing about who exists.

Allowances (QUOTAS): so many attempts per key per hour, then 429 until the hour is over.
Their keys are digests of what was typed (a username, an email, an address), never of the
user it resolves to, so a refusal says nothing about whether that user exists.
"""
import hashlib
import ipaddress
import math
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from services.contracts.errors import Throttled
from services.identity.models import SignInFailures
from services.runtime import clock

WINDOW = timedelta(hours=1)
FREE = {"user": 5, "ip": 50,  # an office behind one address has many users
        "challenge": 3,        # wrong challenge answers on a password reset
        "code": 5,             # wrong security codes on payments
        "invitation": 5}       # failed acceptances of one invitation (a taken username...)
TOO_MANY = "Too many requests like this one. Wait a while and try again."
HOURLY_LIMIT = 100
MAX_BACKOFF_SECONDS = 15 * 60

# attempts per key per WINDOW
QUOTAS = {
    # *_ip: one client address (an IPv6 client's /64: ``address``)
    "signup_ip": 20,        # failed sign-ups from one address (a success gives its back)
    "signup_account": 10,   # sign-up attempts on one account number, failed or not
    "reset_user": 5,        # reset links asked for one username
    "reset_ip": 30,         # ... from one address
    "reminder_email": 5,    # username reminders asked for one email address
    "reminder_ip": 30,      # ... from one address
    "invite_email": 5,      # invitations mailed to one address
    "invite_account": 30,   # invitations sent from one account
    "invite_ip": 60,        # invitations sent from one address
    "email_change_user": 5,  # email-change links asked for by one user
    "email_change_to": 3,    # ... mailed to one address
}


def user_key(username):
    return f"user:{str(username).lower()[:100]}"


def challenge_key(user_id):
    return f"challenge:{user_id}"


# An IPv6 client is handed a whole /64 (and picks a fresh address in it whenever it likes:
# privacy addresses), so an address key per IPv6 address would give one attacker 2**64
# allowances. Its network is the one client; an IPv4-mapped address is its IPv4 address, and
# every spelling of one address is one key.
IPV6_PREFIX = 64


def address(ip):
    """The client ``ip`` as its throttle key: an IPv4 address as itself, an IPv6 address as
    its /64 network (``2001:db8:1:2::/64``); anything else (unknown, not an address) as typed."""
    try:
        parsed = ipaddress.ip_address(str(ip).strip())
    except ValueError:
        return ip
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def ip_key(ip):
    return f"ip:{(address(ip) if ip else None) or 'unknown'}"


def invitation_key(token):
    return "invitation:" + hashlib.sha256(str(token).encode()).hexdigest()[:40]


def quota_key(kind, value):
    """``kind`` of QUOTAS and the value typed (case-insensitive), as a digest: bounded in
    length and no email addresses in the table."""
    if kind not in QUOTAS:
        raise KeyError(kind)
    if kind.endswith("_ip") and value:
        value = address(value)
    return f"{kind}:" + hashlib.sha256(str(value or "").lower().encode()).hexdigest()[:40]



def _window_over(row, at):
    return at - clock.as_utc(row.window_started_at) >= WINDOW


def wait_seconds(row, free, at):
    """Seconds until the sign-in key of ``row`` may try again (0: now)."""
    if row is None or _window_over(row, at):
        return 0
    if row.count >= HOURLY_LIMIT:
        return math.ceil((clock.as_utc(row.window_started_at) + WINDOW - at).total_seconds())
    if row.count < free:
        return 0
    backoff = min(2 ** (row.count - free + 1), MAX_BACKOFF_SECONDS)
    return max(0, math.ceil((clock.as_utc(row.last_failed_at) - at).total_seconds() + backoff))


def quota_wait(row, limit, at):
    """Seconds until the allowance of ``row`` has room again (0: now)."""
    if row is None or _window_over(row, at) or row.count < limit:
        return 0
    return max(1, math.ceil((clock.as_utc(row.window_started_at) + WINDOW - at).total_seconds()))


def sign_in_wait(user_row, ip_row, address_known, at):
    """The wait before a sign-in may be checked. The username's own key always applies; the
    address's key only to usernames that never signed in from that address (unknown ones
    included), so a flood from an office's address slows guesses there but never the
    people who work there (their own keys still stop guessing at their passwords)."""
    wait = wait_seconds(user_row, FREE["user"], at)
    if not address_known:
        wait = max(wait, wait_seconds(ip_row, FREE["ip"], at))
    return wait


def _hold(session, key):
    # an UPDATE that changes nothing, for its row lock (PostgreSQL) or the write lock (SQLite)
    return session.execute(update(SignInFailures).where(SignInFailures.key == key)
                           .values(count=SignInFailures.count)).rowcount


def _locked(session, key, at):
    if not _hold(session, key):
        try:
            with session.begin_nested():
                session.add(SignInFailures(key=key, count=0, window_started_at=at,
                                           last_failed_at=at, locked_event_sent=0))
        except IntegrityError:  # a concurrent attempt made it first: wait for its lock
            _hold(session, key)
    row = session.execute(select(SignInFailures).where(SignInFailures.key == key)
                          .execution_options(populate_existing=True)).scalar_one()
    if _window_over(row, at):
        row.count, row.window_started_at, row.locked_event_sent = 0, at, 0
    return row


def lock(session, keys, at):
    """``{key: row}`` for ``keys``, each row created if missing and locked until the
    transaction ends; always in the same order, so two attempts cannot deadlock. Call it
    first in its transaction (SQLite takes its write lock there)."""
    return {key: _locked(session, key, at) for key in sorted(set(keys))}


def count(row, at):
    """Counts one attempt (or failure) on a locked row."""
    row.count += 1
    row.last_failed_at = at


def give_back(session, keys, at, clear=()):
    """Returns the attempt reserved on each of ``keys`` (the sign-in or sign-up succeeded);
    the keys in ``clear`` start afresh (a right password forgives the username's failures).
    Locked in ``lock``'s order, like the reservation, so the two cannot deadlock."""
    for key, row in lock(session, keys, at).items():
        if key in clear:
            row.count, row.locked_event_sent = 0, 0
        else:
            row.count = max(0, row.count - 1)


def take(session, wanted, at):
    """Reserves one attempt on every ``(kind, value)`` of ``wanted`` (kinds of QUOTAS), or
    on none: returns 0 when reserved, else the seconds to wait (nothing is counted)."""
    keys = {quota_key(kind, value): QUOTAS[kind] for kind, value in wanted}
    rows = lock(session, keys, at)
    wait = max(quota_wait(rows[key], limit, at) for key, limit in keys.items())
    if not wait:
        for row in rows.values():
            count(row, at)
    return wait


def reserve(session, wanted, at):
    """``take``, raising Throttled (with ``retry_after``) when there is no room."""
    wait = take(session, wanted, at)
    if wait:
        raise Throttled(TOO_MANY, retry_after=wait)


def retry_after(session, keys, at):
    """The longest wait among ``keys`` (``[(kind, key)]``)."""
    return max(wait_seconds(session.get(SignInFailures, key), FREE[kind], at)
               for kind, key in keys)


def record_failure(session, key, at):
    """Counts one failure for ``key``; returns its row."""
    row = lock(session, [key], at)[key]
    count(row, at)
    return row


def newly_locked(row, kind):
    """True once per window, when ``row`` has just started being throttled."""
    if row.count >= FREE[kind] and not row.locked_event_sent:
        row.locked_event_sent = 1
        return True
    return False


def forget(session, key):
    row = session.get(SignInFailures, key)
    if row is not None:
        session.delete(row)
