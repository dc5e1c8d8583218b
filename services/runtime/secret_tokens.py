"""The tokens a service hands out and keeps only as a hash: refresh tokens, password resets,
invitations, trusted devices, mailed links. 256 random bits, URL-safe; stored as SHA-256 hex
(enough for a random secret: nothing to guess, so no slow hash is needed)."""
import hashlib
import secrets


def new_secret():
    return secrets.token_urlsafe(32)


def digest(token):
    """The stored form of ``token``: what a table's ``token_hash`` holds and a lookup compares."""
    return hashlib.sha256(str(token).encode()).hexdigest()
