"""TOTP secrets sealed at rest (services/identity/sealing.py, totp.py): plain functions on a
stand-in user, no database."""
from datetime import datetime, timezone
from types import SimpleNamespace

import pyotp
import pytest
from cryptography.fernet import InvalidToken

from services.identity import sealing, totp

KEY = "a-secret-key-for-tests"


def test_a_totp_secret_is_shown_once_and_kept_only_sealed():
    user = SimpleNamespace(totp_secret=None, totp_pending_secret=None, totp_last_step=None)
    secret = totp.start(user, KEY)
    assert user.totp_pending_secret.startswith("sealed:") and secret not in user.totp_pending_secret
    at = datetime.now(timezone.utc)
    totp.confirm(None, user, pyotp.TOTP(secret).at(at), at, KEY)
    assert user.totp_secret.startswith("sealed:") and user.totp_pending_secret is None
    assert sealing.unseal(user.totp_secret, KEY) == secret


def test_a_sealed_secret_does_not_open_with_another_key():
    sealed = sealing.seal("JBSWY3DPEHPK3PXP", KEY)
    with pytest.raises(InvalidToken):
        sealing.unseal(sealed, "another key")


def test_a_secret_stored_before_sealing_still_reads_and_is_sealed_once():
    assert sealing.unseal("JBSWY3DPEHPK3PXP", KEY) == "JBSWY3DPEHPK3PXP"
    sealed = sealing.seal("JBSWY3DPEHPK3PXP", KEY)
    assert sealing.seal(sealed, KEY) == sealed
