"""The signed-in user's passkeys (WebAuthn): register one, list, rename and remove them.
identity keeps them and checks every ceremony; the relying party is the host the browser
used (gateway/relying_party.py). Signing in with one: gateway/api/auth.py."""
from gateway import relying_party
from gateway.actors import actor
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import identity
from services.contracts import identity as schemas

# documented under the signed-in user's tag ("me"), beside their other security settings
bp = ApiBlueprint("passkeys", __name__, url_prefix="/api/v1", tag="me",
                  access=(access.SIGNED_IN, None), signed_out="Not signed in")
NOT_YOURS = "No passkey of yours has that id"


@bp.post("/me/passkeys/options")
@bp.arguments(schemas.PasskeyOptionsRequest)
@bp.response(200, schemas.PasskeyOptions)
@bp.alt_response(400, description="The current password is missing or wrong, or this "
                                  "address (Host) is not one passkeys work on")
@bp.alt_response(409, description="You have the most passkeys one may have")
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(operationId="startPasskeyRegistration")
def start_registration(data):
    """Start adding a passkey

    With your current password: the options to pass to `navigator.credentials.create()`
    (as `publicKey`, binary fields decoded from base64url) and the `challenge_id` to send
    back with its answer within 5 minutes (once)."""
    rp = relying_party.of_request()
    return identity.start_passkey_registration(access.current_user()["user_id"],
                                               data["current_password"], rp)


@bp.post("/me/passkeys")
@bp.arguments(schemas.PasskeyAdd)
@bp.response(201, schemas.PasskeyItem)
@bp.alt_response(400, description="The challenge is unknown, used, expired or not yours; "
                                  "the credential does not verify (made for another site, "
                                  "no user verification...); a bad name or address")
@bp.alt_response(409, description="That passkey is registered already")
@bp.doc(operationId="addPasskey")
def add(data):
    """Add a passkey

    Keep the passkey the browser made (`credential`: what `navigator.credentials.create()`
    returned, as JSON) under `name`. It then signs you in without a password, or stands for
    the 2-step code. We email you a security alert."""
    rp = relying_party.of_request()
    return identity.add_passkey(access.current_user()["user_id"], data["challenge_id"],
                                data["credential"], data["name"], rp, actor())


@bp.get("/me/passkeys")
@bp.response(200, schemas.PasskeyList)
@bp.doc(operationId="listPasskeys")
def list_passkeys():
    """Your passkeys

    Your passkeys, oldest first: their names, when each was added and last used."""
    return identity.list_passkeys(access.current_user()["user_id"])


@bp.patch("/me/passkeys/<passkey_id>")
@bp.arguments(schemas.PasskeyName)
@bp.response(200, schemas.PasskeyItem)
@bp.alt_response(400, description="A bad name")
@bp.alt_response(404, description=NOT_YOURS)
@bp.doc(operationId="renamePasskey")
def rename(data, passkey_id):
    """Rename a passkey

    Rename one of your passkeys. We email you a security alert."""
    return identity.rename_passkey(access.current_user()["user_id"], passkey_id, data["name"],
                                   actor())


@bp.delete("/me/passkeys/<passkey_id>")
@bp.arguments(schemas.PasskeyRemove)
@bp.response(204)
@bp.alt_response(400, description="The current password is missing or wrong")
@bp.alt_response(404, description=NOT_YOURS)
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(operationId="removePasskey")
def remove(data, passkey_id):
    """Remove a passkey

    Remove one of your passkeys (your current password required: a stolen session must not
    take your way in away). It signs nobody in any more. We email you a security alert."""
    identity.remove_passkey(access.current_user()["user_id"], passkey_id,
                            data["current_password"], actor())
    return ""
