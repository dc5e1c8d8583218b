"""Secrets a service must read back, kept encrypted at rest ("sealed"), the one rule for all.

What is only compared is hashed (argon2id, SHA-256); what must be read back (identity's TOTP
secrets, billing's security keys, printed on every statement) is sealed: Fernet (AES-128-CBC
with HMAC-SHA256, from the well-kept ``cryptography``) under a key derived, for one purpose
each, from the key-encryption key: ``KEY_ENCRYPTION_KEY`` when set, else ``SECRET_KEY``
(``key_encryption_key``). A copy of a database alone (a backup, a replica, a dump in a ticket)
then gives no such secret away; a different purpose derives a different key, so a value sealed
for one use cannot be unsealed as another's.

A sealed value reads ``sealed:<Fernet token>``; a value without the prefix predates sealing
and is read as is. Changing the key-encryption key makes sealed values unreadable.
"""
import base64
import binascii
import hashlib
import hmac

from cryptography.fernet import Fernet

PREFIX = "sealed:"
_FERNET_VERSION = 0x80
_FERNET_MIN_BYTES = 1 + 8 + 16 + 16 + 32  # version, time, IV, one AES block, HMAC


def key_encryption_key(config):
    """The key sealed values are derived from: KEY_ENCRYPTION_KEY, else SECRET_KEY (a nameko
    config dict or the environment)."""
    return config.get("KEY_ENCRYPTION_KEY") or config.get("SECRET_KEY")


def _fernet(kek, purpose):
    if not kek:
        raise RuntimeError("SECRET_KEY (or KEY_ENCRYPTION_KEY) is needed to seal secrets at rest")
    key = hmac.new(str(kek).encode(), purpose, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value, kek, purpose):
    """``value`` sealed for ``purpose`` (bytes naming the use); None and sealed values as is."""
    if value is None or str(value).startswith(PREFIX):
        return value
    return PREFIX + _fernet(kek, purpose).encrypt(str(value).encode()).decode()


def unseal(value, kek, purpose):
    """The plain value; raises cryptography.fernet.InvalidToken under another key or purpose."""
    if not value or not value.startswith(PREFIX):
        return value
    return _fernet(kek, purpose).decrypt(value[len(PREFIX):].encode()).decode()


def is_sealed(value):
    """True when ``value`` is shaped as a sealed value: the prefix and a Fernet token (without
    the key, nothing more can be told). A plain secret behind the prefix is not."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return False
    try:
        raw = base64.urlsafe_b64decode(value[len(PREFIX):].encode())
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= _FERNET_MIN_BYTES and raw[0] == _FERNET_VERSION \
        and (len(raw) - 1 - 8 - 16 - 32) % 16 == 0
