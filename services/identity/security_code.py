"""The 4-digit security code: set with the current password, hashed with argon2id like a
password, checked (throttled) when the user's preference asks for it on payments."""
import re

from services.contracts import validators
from services.contracts.errors import InvalidInput, Throttled
from services.identity import onlineids, passwords, preferences, throttle

CODE = re.compile(validators.SECURITY_CODE_FORM)  # ASCII only: \d also matches other scripts' digits
TOO_MANY = "Too many wrong security codes. Wait a moment and try again."
NOT_SET = "You have not set a security code yet. Set one on the Security page."


def check_format(code, field="security_code"):
    """A code is exactly four digits; raises InvalidInput otherwise."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise InvalidInput({field: ["Enter exactly 4 digits."]})
    return code


def key(user_id):
    return f"code:{user_id}"


def check_throttle(session, user_id, at):
    wait = throttle.retry_after(session, [("code", key(user_id))], at)
    if wait:
        raise Throttled(TOO_MANY, retry_after=wait)


def matches(stored_hash, code):
    """True when ``code`` matches the stored hash (a malformed code never does)."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        return False
    return passwords.verify(stored_hash, code)


def verify(db, user_id, code, at):
    """True when ``code`` is the user's security code, False when not or none is set. Each
    wrong code counts like a failed sign-in: Throttled (``retry_after``) after a few; the
    right one clears the count."""
    with db.transaction() as tx:
        check_throttle(tx.session, user_id, at)
        user = tx.session.get(onlineids.User, str(user_id))
        stored = user.security_code_hash if user else None
    if stored and matches(stored, code):
        with db.transaction() as tx:
            throttle.forget(tx.session, key(user_id))
        return True
    with db.transaction() as tx:
        throttle.record_failure(tx.session, key(user_id), at)
    return False


def for_payment(db, user_id, code, at):
    """What a payment by ``user_id`` needs to know: ``{code_required, code_valid}``, whether
    the user's preference requires the code, and whether ``code`` is it (``verify``; None
    when no code is required or none was given, so nothing is counted). Raises NotFound
    (no such user), Throttled (too many wrong codes)."""
    with db.transaction() as tx:
        user = onlineids.get_user(tx.session, user_id)
        required = preferences.of(user)["require_security_code_for_payments"]
    if not (required and code):
        return {"code_required": required, "code_valid": None}
    return {"code_required": True, "code_valid": verify(db, user_id, code, at)}
