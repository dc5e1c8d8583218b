"""Account numbers and the invoice's security key.

An account number is 16 digits, the last a Luhn check digit (python-stdnum). The security key
is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), printed at the top of
every statement. It is kept twice: as an argon2id hash, to check it (in the same time whether or
not the account exists), and sealed (services/runtime/sealing.py: Fernet under the
key-encryption key, for this purpose only), to print it. Neither form gives the key away from a
copy of the database alone.
"""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from stdnum import luhn

from services.runtime import sealing

KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
KEY_LENGTH = 8

# OWASP's argon2id floor: 19 MiB, t=2, p=1
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_DUMMY_HASH = _hasher.hash("not-a-real-key")
_PURPOSE = b"bizportal billing: security keys at rest"


def new_account_number():
    body = str(secrets.randbelow(9 * 10 ** 14) + 10 ** 14)  # 15 digits, no leading zero
    return body + luhn.calc_check_digit(body)


def is_account_number(value):
    # isascii: str.isdigit() is also true of other scripts' digits and of '²'
    return (isinstance(value, str) and len(value) == 16 and value.isascii() and value.isdigit()
            and luhn.is_valid(value))


def new_security_key():
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


def normalise_key(key):
    """Keys are printed upper-case; customers type them any way, with spaces or dashes."""
    return "".join(ch for ch in str(key).upper() if ch.isalnum())


def hash_key(key):
    return _hasher.hash(normalise_key(key))


def key_matches(stored_hash, key):
    """Constant work whether or not there is a stored hash (unknown account)."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, normalise_key(key)) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def seal_key(key, kek):
    """The key as kept to be printed: sealed under ``kek`` (the key-encryption key)."""
    return sealing.seal(normalise_key(key), kek, _PURPOSE)


def unseal_key(sealed, kek):
    """The printable key from its sealed form; None when there is none."""
    return sealing.unseal(sealed, kek, _PURPOSE) if sealed else None


def issue(kek):
    """A new key: ``(key, hash, sealed)``."""
    key = new_security_key()
    return key, hash_key(key), seal_key(key, kek)
