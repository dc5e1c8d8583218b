"""The 4-digit security code: set with the current password, hashed with argon2id like a
password, checked (throttled) when the user's preference asks for it on payments."""
import re

from services.contracts.errors import InvalidInput, Refused, Throttled
from services.identity import passwords, throttle

CODE = re.compile(r"[0-9]{4}")  # ASCII only: \d also matches other scripts' digits
WRONG = "The security code is not correct."
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


def refuse_wrong():
    raise Refused(WRONG, {"field": "security_code"})
