"""Password rules (OWASP ASVS level 2) and argon2id hashing.

Length 12-128, no composition rules, not one of the 30,000 most common passwords, not
containing the username. Hashes are argon2id at no less than OWASP's 19 MiB / t=2 / p=1; the
parameters are inside each hash, so raising PARAMETERS later rehashes users as they sign in.
"""
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool

MIN_LENGTH = 12
MAX_LENGTH = 128
PARAMETERS = dict(time_cost=2, memory_cost=19456, parallelism=1)

hasher = PasswordHasher(**PARAMETERS)
# Unknown usernames are checked against this so that they cost the same time as known ones.
_DUMMY_HASH = hasher.hash("dummy password for unknown usernames")


@lru_cache(maxsize=1)
def common_passwords():
    text = resources.files("services.identity").joinpath("common_passwords.txt").read_text()
    return frozenset(line.strip() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def problems(password, username=None):
    """The reasons ``password`` is refused, as messages (empty when it is fine)."""
    if not isinstance(password, str):
        return ["A password is text."]
    found = []
    if len(password) < MIN_LENGTH:
        found.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        found.append(f"Use at most {MAX_LENGTH} characters.")
    if password.lower() in common_passwords():
        found.append("This password is too common; choose another.")
    if username and username.lower() in password.lower():
        found.append("The password must not contain your username.")
    return found


def hash_password(password):
    # argon2 is C code that releases the GIL: run it in a real thread so the eventlet hub
    # (every other request this service serves) is not blocked for its ~50 ms
    return tpool.execute(hasher.hash, password)


def verify(stored_hash, password):
    """True when ``password`` matches; the same work when there is no stored hash."""
    try:
        return tpool.execute(hasher.verify, stored_hash or _DUMMY_HASH, password) \
            and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash):
    return hasher.check_needs_rehash(stored_hash)
