"""Secrets identity must read back, kept encrypted at rest: the TOTP secret of 2-step sign-in.

A password, a security code or a recovery code is only ever compared, so it is hashed; a TOTP
secret must be read to compute the current code, so it is sealed instead (services/runtime/
sealing.py: Fernet under a key derived from SECRET_KEY for this one purpose). A copy of the
database alone then gives nobody's second factor away.

A value without the ``sealed:`` prefix predates sealing (migration 0005 seals those) and is
read as is. Changing SECRET_KEY makes sealed secrets unreadable: users then set 2-step sign-in
up again. (Identity keeps sealing under SECRET_KEY, as its secrets were sealed so far.)
"""
from services.runtime import sealing

PREFIX = sealing.PREFIX
_PURPOSE = b"bizportal identity: secrets at rest"


def seal(value, secret_key):
    return sealing.seal(value, secret_key, _PURPOSE)


def unseal(value, secret_key):
    return sealing.unseal(value, secret_key, _PURPOSE)
