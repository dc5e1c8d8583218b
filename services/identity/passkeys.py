"""Passkeys (WebAuthn, py_webauthn): registering one for a signed-in user, and checking an
assertion (a sign-in without a password, or the second step instead of a TOTP code).

The relying party ``rp`` (``{id, origin, name}``) comes from the gateway, which derives it
from the host the browser used and accepts only its allow-list (gateway/relying_party.py):
the browser binds each credential to that id and signs the origin, so a response made for
another site fails here. Registration asks for a discoverable (resident) credential with
user verification, so the passkey alone signs in; attestation is not asked for (no
authenticator make is required). The public key and the signature counter are all we keep;
a counter that does not grow means a cloned authenticator and is refused."""
import uuid

from sqlalchemy import select
from webauthn import (generate_authentication_options, generate_registration_options,
                      verify_authentication_response, verify_registration_response)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json_dict
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria,
                                      PublicKeyCredentialDescriptor, ResidentKeyRequirement,
                                      UserVerificationRequirement)

from services.contracts.errors import Conflict, InvalidInput, NotFound
from services.identity import webauthn_challenges
from services.identity.models import Passkey
from services.runtime import clock

MAX_PER_USER = 10
NOT_VERIFIED = "This passkey could not be verified. Try again."
ALREADY = "This passkey is already registered."
TOO_MANY = f"You have {MAX_PER_USER} passkeys already. Remove one first."
NO_SUCH = "You have no passkey with that id."


class AssertionRefused(Exception):
    """An assertion that proves nothing: unknown credential, bad signature, wrong origin or
    RP id, a counter that did not grow. The entrypoint says one thing for all of them."""


def registration_options(session, user, rp, at):
    """Options for navigator.credentials.create(): ``{challenge_id, options}``, the user's
    passkeys excluded (an authenticator never registers twice)."""
    if len(of_user(session, user.id)) >= MAX_PER_USER:
        raise Conflict(TOO_MANY)
    challenge_id, challenge = webauthn_challenges.issue(session, "register", at, user.id)
    options = generate_registration_options(
        rp_id=rp["id"], rp_name=rp["name"], user_name=user.username, user_id=user.id.encode(),
        user_display_name=f"{user.first_name} {user.last_name}", challenge=challenge,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[_descriptor(row) for row in of_user(session, user.id)])
    return {"challenge_id": challenge_id, "options": options_to_json_dict(options)}


def register(session, user_id, challenge, credential, name, rp, at):
    """Verifies ``credential`` (navigator.credentials.create()'s JSON) against the spent
    ``challenge`` and stores the passkey; returns its row. InvalidInput (credential) when
    it does not verify, Conflict when it is registered already."""
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp["id"], expected_origin=rp["origin"],
            require_user_verification=True)
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError):
        raise InvalidInput({"credential": [NOT_VERIFIED]}) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if by_credential(session, credential_id) is not None:
        raise Conflict(ALREADY)
    transports = _transports(credential)
    row = Passkey(id=str(uuid.uuid4()), user_id=user_id, credential_id=credential_id,
                  public_key=bytes_to_base64url(verified.credential_public_key),
                  sign_count=verified.sign_count, name=name, created_at=at,
                  transports=",".join(t for t in transports if isinstance(t, str))[:200])
    session.add(row)
    session.flush()
    return row


def assertion_options(session, purpose, rp, at):
    """Options for navigator.credentials.get(): ``{challenge_id, options}``. No credentials
    are listed (discoverable credentials: the authenticator offers its own), so the options
    say nothing about who has passkeys."""
    challenge_id, challenge = webauthn_challenges.issue(session, purpose, at)
    options = generate_authentication_options(
        rp_id=rp["id"], challenge=challenge,
        user_verification=UserVerificationRequirement.REQUIRED if purpose == "sign_in"
        else UserVerificationRequirement.PREFERRED)
    return {"challenge_id": challenge_id, "options": options_to_json_dict(options)}


def check_assertion(session, challenge, credential, rp, at, user_verification, user_id=None):
    """The passkey that signed ``credential`` (navigator.credentials.get()'s JSON) over the
    spent ``challenge`` (one of ``user_id``'s when given), its counter and last use
    updated; AssertionRefused otherwise."""
    row = by_credential(session, str(credential.get("id") or "")[:1400]) \
        if isinstance(credential, dict) else None
    if row is None or (user_id is not None and row.user_id != user_id):
        raise AssertionRefused()
    try:
        handle = (credential.get("response") or {}).get("userHandle")
        if handle and base64url_to_bytes(handle) != row.user_id.encode():
            raise AssertionRefused()
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp["id"], expected_origin=rp["origin"],
            credential_public_key=base64url_to_bytes(row.public_key),
            credential_current_sign_count=row.sign_count,
            require_user_verification=user_verification)
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError):
        raise AssertionRefused() from None
    row.sign_count, row.last_used_at = verified.new_sign_count, at
    return row


def by_credential(session, credential_id):
    return session.execute(select(Passkey).where(
        Passkey.credential_id == credential_id)).scalar_one_or_none()


def of_user(session, user_id):
    return session.execute(select(Passkey).where(Passkey.user_id == user_id)
                           .order_by(Passkey.created_at, Passkey.id)).scalars().all()


def own(session, user_id, passkey_id):
    """The user's passkey ``passkey_id``; NotFound (one answer) for another's or none."""
    row = session.get(Passkey, str(passkey_id)) if len(str(passkey_id)) <= 36 else None
    if row is None or row.user_id != user_id:
        raise NotFound(NO_SUCH)
    return row


def item(row):
    used = row.last_used_at
    return {"id": row.id, "name": row.name,
            "created_at": clock.as_utc(row.created_at).isoformat(),
            "last_used_at": clock.as_utc(used).isoformat() if used else None,
            "transports": [t for t in row.transports.split(",") if t]}


def _transports(credential):
    """What the browser said of how it reaches the authenticator (a hint only)."""
    response = credential.get("response") if isinstance(credential, dict) else None
    listed = response.get("transports") if isinstance(response, dict) else None
    return listed if isinstance(listed, list) else []


def _descriptor(row):
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(row.credential_id))


def second_step(session, user_id, passkey, rp, at):
    """The second step of a password sign-in done with a passkey of ``user_id``: spends the
    second_step challenge of ``passkey`` (``{challenge_id, credential}``) and checks the
    assertion. Returns "passkey" when it worked, else "wrong" (counted like a wrong code)."""
    if not isinstance(passkey, dict):
        return "wrong"
    try:
        challenge = webauthn_challenges.spend(session, passkey.get("challenge_id"),
                                              "second_step", at)
        check_assertion(session, challenge, passkey.get("credential"), rp, at, False, user_id)
    except (InvalidInput, AssertionRefused):
        return "wrong"
    return "passkey"
