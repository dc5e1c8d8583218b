"""Signing in: the throttle, the password and the 2-step code decide one Outcome; the
entrypoint (IdentityService.sign_in) maps it to the reply or the contract error.

Three transactions, in this order, because hashing must not hold row locks: the attempt is
reserved (counted as a failure, on the throttle rows held locked: a burst gets no more
guesses than the throttle allows), the password is checked outside any transaction, then
the second step is spent and the session opened (the failure given back). A failure an ID
starts being throttled by is said once, ``identity.sign_in_locked``."""
import enum
from dataclasses import dataclass

from services.identity import (alerts, devices, onlineids, passkeys, passwords, sessions,
                               throttle, totp)


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    THROTTLED = "throttled"  # with retry_after
    BAD_CREDENTIALS = "bad_credentials"  # unknown user or wrong password: one answer
    TOTP_NEEDED = "totp_needed"  # the password was right: not a failure
    TOTP_WRONG = "totp_wrong"  # counted as a failure (also: a code already used)


@dataclass(frozen=True)
class Attempt:
    outcome: Outcome
    retry_after: int = None
    user_id: str = None
    username: str = None
    session_id: str = None
    refresh_token: str = None


def before_password(wait, password_right):
    """The outcome decided before the second step, or None to go on to it."""
    if wait:
        return Outcome.THROTTLED
    return None if password_right else Outcome.BAD_CREDENTIALS


def after_second_step(second):
    """The outcome of ``totp.second_step``'s answer (None: 2-step sign-in is off)."""
    return {"missing": Outcome.TOTP_NEEDED, "wrong": Outcome.TOTP_WRONG}.get(
        second, Outcome.SIGNED_IN)


def sign_in(db, secret_key, changed, username, password, ip, user_agent, totp_code, at,
            passkey=None, rp=None):
    """Runs one attempt; returns its Attempt. ``changed(tx, user, what, at, where)`` records
    a security change (here: a recovery code used). ``passkey`` (``{challenge_id,
    credential}``, for the relying party ``rp``) may stand for ``totp_code``. Emits in
    ``db``'s transactions as IdentityService.sign_in says."""
    keys = {"user": throttle.user_key(username), "ip": throttle.ip_key(ip)}
    with db.transaction() as tx:
        rows = throttle.lock(tx.session, keys.values(), at)  # first in the transaction
        user = onlineids.find_by_username(tx.session, username)
        user_id, stored = (user.id, user.password_hash) if user else (None, None)
        wait = throttle.sign_in_wait(rows[keys["user"]], rows[keys["ip"]],
                                     devices.address_known(tx.session, user_id, ip), at)
        if not wait:  # counted as a failure now, given back once the password is right
            for row in rows.values():
                throttle.count(row, at)
    outcome = before_password(wait, not wait and passwords.verify(stored, str(password)))
    if outcome is Outcome.THROTTLED:
        return Attempt(outcome, retry_after=wait)
    if outcome is Outcome.BAD_CREDENTIALS:
        failed(db, keys["user"], user_id, at)
        return Attempt(outcome)
    rehashed = passwords.hash_password(password) if passwords.needs_rehash(stored) else None
    with db.transaction() as tx:
        user = onlineids.get_user(tx.session, user_id)
        second = _second_step(tx.session, user, totp_code, passkey, rp, at,
                              secret_key) if user.totp_secret else None
        outcome = after_second_step(second)
        if outcome is Outcome.TOTP_NEEDED:
            throttle.give_back(tx.session, keys.values(), at)
        elif outcome is Outcome.SIGNED_IN:
            throttle.give_back(tx.session, keys.values(), at, clear={keys["user"]})
            if rehashed:
                user.password_hash = rehashed
            row, refresh_token = open_session(tx, user, at, ip, user_agent)
            if second == "recovery_code":
                changed(tx, user, "recovery_code_used", at, {"ip": ip, "user_agent": user_agent})
    if outcome is Outcome.TOTP_WRONG:
        failed(db, keys["user"], user_id, at)
    if outcome is not Outcome.SIGNED_IN:
        return Attempt(outcome)
    return Attempt(outcome, user_id=user_id, username=user.username, session_id=row.id,
                   refresh_token=refresh_token)


def _second_step(session, user, totp_code, passkey, rp, at, secret_key):
    if passkey and rp:
        return passkeys.second_step(session, user.id, passkey, rp, at)
    return totp.second_step(session, user, totp_code, at, secret_key)


def open_session(tx, user, at, ip, user_agent):
    """The session a successful sign-in (password or passkey) opens: ``(row, refresh
    token)``; emits ``identity.signed_in`` and mails a sign-in alert for a new browser or
    address when the user asked for them."""
    row, refresh_token = sessions.open_session(tx.session, user.id, at, ip, user_agent)
    tx.emit("signed_in", {"user_id": user.id, "ip": ip, "user_agent": user_agent})
    if not devices.seen(tx.session, user.id, ip, user_agent, at) and user.sign_in_alerts:
        alerts.sign_in_alert(tx, user.email, user.id, user.first_name, at, ip, user_agent)
    return row, refresh_token


def failed(db, key, user_id, at):
    """The failure was counted when the attempt was reserved; an ID it starts throttling
    is said once (``identity.sign_in_locked``)."""
    if user_id is None:
        return
    with db.transaction() as tx:
        if throttle.newly_locked(throttle.lock(tx.session, [key], at)[key], "user"):
            tx.emit("sign_in_locked", {"user_id": user_id})
