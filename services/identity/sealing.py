"""Secrets identity must read back, kept encrypted at rest: the TOTP secret of 2-step sign-in.

A password, a security code or a recovery code is only ever compared, so it is hashed; a TOTP
secret must be read to compute the current code, so it is sealed instead: Fernet
(AES-128-CBC with HMAC-SHA256, from the well-kept ``cryptography``) under a key derived from
SECRET_KEY for this one purpose. A copy of the database alone (a backup, a replica, a dump in
a ticket) then gives nobody's second factor away.

A sealed value reads ``sealed:<Fernet token>``; a value without the prefix predates sealing
(migration 0005 seals those) and is read as is. Changing SECRET_KEY makes sealed secrets
unreadable: users then set 2-step sign-in up again.
"""
import base64
import hashlib
import hmac

from cryptography.fernet import Fernet

PREFIX = "sealed:"
_PURPOSE = b"bizportal identity: secrets at rest"


def _fernet(secret_key):
    if not secret_key:
        raise RuntimeError("SECRET_KEY is needed to seal secrets at rest")
    key = hmac.new(str(secret_key).encode(), _PURPOSE, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value, secret_key):
    if value is None or str(value).startswith(PREFIX):
        return value
    return PREFIX + _fernet(secret_key).encrypt(str(value).encode()).decode()


def unseal(value, secret_key):
    if not value or not value.startswith(PREFIX):
        return value
    return _fernet(secret_key).decrypt(value[len(PREFIX):].encode()).decode()
