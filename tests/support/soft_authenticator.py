"""A software passkey authenticator for service and end-to-end tests: what a browser and its
platform authenticator would answer to navigator.credentials.create() and .get(), built with
the cryptography package (ES256, attestation "none", user present and verified). The
browser tests use Chromium's own virtual authenticator instead (tests/browser)."""
import hashlib
import json
import os
import struct

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

UP, UV, AT = 0x01, 0x04, 0x40  # authenticator data flags: present, verified, attested data


def _b64(data):
    return bytes_to_base64url(data)


class SoftAuthenticator:
    """Holds its credentials (credential id -> key, user handle, counter), as a phone would."""

    def __init__(self):
        self.credentials = {}

    def create(self, options, origin, user_verified=True, credential_id=None):
        """navigator.credentials.create()'s JSON for ``options`` (the server's publicKey
        options) at ``origin``; the new credential is kept here (``credential_id``, base64url:
        one a test wants reused, as no real authenticator would)."""
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = base64url_to_bytes(credential_id) if credential_id else os.urandom(32)
        numbers = key.public_key().public_numbers()
        cose = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big")}
        attested = (b"\0" * 16 + struct.pack(">H", len(credential_id)) + credential_id
                    + cbor2.dumps(cose))
        auth_data = self._auth_data(options["rp"]["id"], UP | AT | (UV if user_verified else 0),
                                    0) + attested
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        self.credentials[_b64(credential_id)] = {
            "key": key, "user_handle": options["user"]["id"], "count": 0,
            "rp_id": options["rp"]["id"]}
        return {"id": _b64(credential_id), "rawId": _b64(credential_id), "type": "public-key",
                "response": {"clientDataJSON": _b64(client_data),
                             "attestationObject": _b64(cbor2.dumps(
                                 {"fmt": "none", "attStmt": {}, "authData": auth_data})),
                             "transports": ["internal"]},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}

    def get(self, options, origin, credential_id=None, rp_id=None, count=None,
            user_verified=True):
        """navigator.credentials.get()'s JSON for ``options`` at ``origin``, signed with
        ``credential_id`` (the only one held when not given). ``rp_id`` and ``count`` let a
        test forge what a real authenticator would not send."""
        credential_id = credential_id or next(iter(self.credentials))
        held = self.credentials[credential_id]
        held["count"] = held["count"] + 1 if count is None else count
        auth_data = self._auth_data(rp_id or options.get("rpId") or held["rp_id"],
                                    UP | (UV if user_verified else 0), held["count"])
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = held["key"].sign(auth_data + hashlib.sha256(client_data).digest(),
                                     ec.ECDSA(hashes.SHA256()))
        return {"id": credential_id, "rawId": credential_id, "type": "public-key",
                "response": {"clientDataJSON": _b64(client_data),
                             "authenticatorData": _b64(auth_data), "signature": _b64(signature),
                             "userHandle": held["user_handle"]},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}

    @staticmethod
    def _auth_data(rp_id, flags, count):
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", count)

    @staticmethod
    def _client_data(kind, challenge, origin):
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()


