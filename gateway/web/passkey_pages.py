"""The portal's passkeys: the Passkeys section of /security (list, rename and remove as plain
forms; "Add a passkey" through gateway/web/static/passkeys.js), "Sign in with a passkey" on
the sign-in page, and a passkey instead of the 2-step code there.

The browser's part of a WebAuthn ceremony (navigator.credentials) needs script, so the
ceremony's two steps are small JSON exchanges here, under the portal's cookie and its CSRF
token (the X-CSRFToken header): the options, then the browser's answer. They reach the same
identity RPCs as the JSON API, with the relying party of the host the browser used
(gateway/relying_party.py); a refusal is a problem document the script shows."""
from flask import flash, jsonify, request

from gateway import redirects, relying_party
from gateway.actors import actor, origin
from gateway.auth import access, portal_session
from gateway.clients import identity
from gateway.web import bp, forms
from gateway.web.security_pages import DONE, _act, _back, flash_refusal
from services.contracts import identity as schemas
from services.contracts.loading import load

AFTER_SIGN_IN = "/dashboard"
DONE.update({"passkey_renamed": "Your passkey is renamed.",
             "passkey_removed": "Your passkey is removed. It no longer signs you in."})


def _json(schema):
    """The request's JSON body loaded with ``schema`` (InvalidInput: a 400 problem)."""
    return load(schema, request.get_json(silent=True))


@bp.post("/security/passkeys/options")
@access.signed_in
def passkey_options():
    """JSON ``{current_password}`` → the options for navigator.credentials.create()."""
    data = _json(schemas.PasskeyOptionsRequest)
    return identity.start_passkey_registration(access.current_user()["user_id"],
                                               data["current_password"],
                                               relying_party.of_request())


@bp.post("/security/passkeys")
@access.signed_in
def passkey_add():
    """JSON ``{challenge_id, credential, name}`` → the passkey kept (201); the page the
    script opens next says so."""
    data = _json(schemas.PasskeyAdd)
    added = identity.add_passkey(access.current_user()["user_id"], data["challenge_id"],
                                 data["credential"], data["name"], relying_party.of_request(),
                                 actor())
    flash(f"Your passkey {added['name']} is added. You can sign in with it, without your "
          "password. We emailed you a security alert.", "success")
    return jsonify(added), 201


@bp.post("/security/passkeys/<passkey_id>/rename")
@access.signed_in
def passkey_rename(passkey_id):
    return _act("passkeys", "passkey_renamed", identity.rename_passkey,
                access.current_user()["user_id"], passkey_id,
                request.form.get("name", "").strip(), actor())


@bp.post("/security/passkeys/<passkey_id>/remove")
@access.signed_in
def passkey_remove(passkey_id):
    forms.submit(lambda: identity.remove_passkey(
        access.current_user()["user_id"], passkey_id, request.form.get("current_password", ""),
        actor()), DONE["passkey_removed"], flash_refusal)
    return _back("passkeys")


@bp.post("/sign-in/passkey/options")
def sign_in_passkey_options():
    """JSON ``{purpose}`` (sign_in, or second_step on the 2-step form) → the options for
    navigator.credentials.get()."""
    data = _json(schemas.PasskeySignInOptionsRequest)
    return identity.start_passkey_sign_in(relying_party.of_request(), data["purpose"],
                                          origin())


@bp.post("/sign-in/passkey")
def sign_in_passkey():
    """JSON ``{challenge_id, credential, next}`` → signed in on this browser; answers
    ``{redirect}``, the page to open."""
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    data = load(schemas.PasskeyAssertion, {k: v for k, v in body.items() if k != "next"})
    signed_in = identity.sign_in_with_passkey(data["challenge_id"], data["credential"],
                                              relying_party.of_request(), origin())
    portal_session.start_web_session(signed_in)
    return {"redirect": redirects.local_path(body.get("next"), AFTER_SIGN_IN)}
