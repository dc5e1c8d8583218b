"""Throttles: failed sign-ins per username and per client address, and allowances on what
mails someone or costs a hash (sign-up, reset links, username reminders, invitations).

The counters are rows of ``sign_in_failures``, reserved and counted as every throttle is
(services/runtime/throttling.py). Sign-ins are counted as failures when reserved and given
back when the password turns out right.

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

from services.identity.models import SignInFailures
from services.runtime import clock, throttling

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
    # passkey sign-in options asked from one address: each keeps a challenge row for ten
    # minutes, asked by anyone signed out (two per sign-in: an office has room for many)
    "passkey_options_ip": 300,
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
    return throttling.digest_key(kind, value)


# one row per key in sign_in_failures; a new window also re-arms the "locked" event
COUNTERS = throttling.Counters(SignInFailures, WINDOW, last="last_failed_at",
                               fresh={"locked_event_sent": 0})
lock, count = COUNTERS.lock, COUNTERS.count


def wait_seconds(row, free, at):
    """Seconds until the sign-in key of ``row`` may try again (0: now)."""
    if row is None or COUNTERS.window_over(row, at):
        return 0
    if row.count >= HOURLY_LIMIT:
        return math.ceil((clock.as_utc(row.window_started_at) + WINDOW - at).total_seconds())
    if row.count < free:
        return 0
    backoff = min(2 ** (row.count - free + 1), MAX_BACKOFF_SECONDS)
    return max(0, math.ceil((clock.as_utc(row.last_failed_at) - at).total_seconds() + backoff))


def sign_in_wait(user_row, ip_row, address_known, at):
    """The wait before a sign-in may be checked. The username's own key always applies; the
    address's key only to usernames that never signed in from that address (unknown ones
    included), so a flood from an office's address slows guesses there but never the
    people who work there (their own keys still stop guessing at their passwords)."""
    wait = wait_seconds(user_row, FREE["user"], at)
    if not address_known:
        wait = max(wait, wait_seconds(ip_row, FREE["ip"], at))
    return wait


def give_back(session, keys, at, clear=()):
    """Returns the attempt reserved on each of ``keys`` (the sign-in or sign-up succeeded);
    the keys in ``clear`` start afresh (a right password forgives the username's failures).
    Locked in ``lock``'s order, like the reservation, so the two cannot deadlock."""
    for key, row in lock(session, keys, at).items():
        if key in clear:
            row.count, row.locked_event_sent = 0, 0
        else:
            row.count = max(0, row.count - 1)


def reserve(session, wanted, at):
    """Reserves one attempt on every ``(kind, value)`` of ``wanted`` (kinds of QUOTAS), or on
    none: raises Throttled (with ``retry_after``) when one has no room (nothing counted)."""
    COUNTERS.reserve(session, {quota_key(kind, value): QUOTAS[kind] for kind, value in wanted},
                     at, TOO_MANY)


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
