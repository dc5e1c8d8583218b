"""Sign-up, sign-in, refresh, sign-out and recovery."""
from flask import request

from gateway import relying_party
from gateway.actors import origin
from gateway.api import ApiBlueprint
from gateway.auth import access, sessions, tokens
from gateway.clients import identity
from services.contracts import identity as schemas

bp = ApiBlueprint("auth", __name__, url_prefix="/api/v1", access=(access.PUBLIC, None),
                  description="Sign-up, sign-in, refresh, sign-out and recovery.")


@bp.post("/signup")
@bp.arguments(schemas.SignupRequest)
@bp.response(201, schemas.SignedUp)
@bp.alt_response(400, description="Invalid fields, or a password against the rules")
@bp.alt_response(409, description="The username is not available or the account already has an online ID (one message for both)")
@bp.alt_response(422, description="The account number and security key do not match")
@bp.alt_response(429, description="Too many failed sign-ups from this address, or attempts on this account number; see Retry-After")
@bp.doc(operationId="signUp")
def signup(_validated):
    """Create an online ID

    Create an online ID with the account number and security key on the invoice.

    The first online ID of an account becomes its admin."""
    return identity.signup(request.get_json(), origin())


@bp.post("/auth/login")
@bp.arguments(schemas.LoginRequest)
@bp.response(200, schemas.TokenPair)
@bp.alt_response(400, description="Invalid fields; a `passkey` from an address (Host) passkeys do not work on")
@bp.alt_response(401, description="The username and password do not match; or the 2-step code (or passkey) is missing, wrong or used")
@bp.alt_response(429, description="Too many failed sign-ins; see Retry-After")
@bp.doc(operationId="signIn")
def login(data):
    """Sign in

    Answers a short-lived access token (`expires_in` seconds; send it as
    `Authorization: Bearer <access_token>`) and a refresh token. With 2-step sign-in on,
    send `totp_code` too (the app's 6-digit code, or a recovery code; each works once), or
    instead `passkey`: one of your passkeys' answer to a `second_step` challenge."""
    passkey = data.get("passkey")
    signed_in = identity.sign_in(data["username"], data["password"], origin(),
                                 data.get("totp_code"), passkey,
                                 relying_party.of_request() if passkey else None)
    return tokens.token_pair(signed_in)


@bp.post("/auth/passkey/options")
@bp.arguments(schemas.PasskeySignInOptionsRequest)
@bp.response(200, schemas.PasskeyOptions)
@bp.alt_response(400, description="An unknown purpose, or an address (Host) passkeys do not work on")
@bp.alt_response(429, description="Too many passkey sign-ins started from this address; see Retry-After")
@bp.doc(operationId="startPasskeySignIn")
def passkey_options(data):
    """Start signing in with a passkey

    The options to pass to `navigator.credentials.get()` (as `publicKey`, binary fields
    decoded from base64url) and the `challenge_id` to send back with its answer within 5
    minutes (once): to /auth/passkey (`purpose` sign_in: a passkey alone, no password) or,
    as `passkey`, to /auth/login (`purpose` second_step: instead of the 2-step code)."""
    return identity.start_passkey_sign_in(relying_party.of_request(), data["purpose"],
                                          origin())


@bp.post("/auth/passkey")
@bp.arguments(schemas.PasskeyAssertion)
@bp.response(200, schemas.TokenPair)
@bp.alt_response(400, description="The challenge is unknown, used or expired; an address (Host) passkeys do not work on")
@bp.alt_response(401, description="Not a passkey we know, or its answer does not verify (another site, a counter gone back...)")
@bp.alt_response(429, description="Too many failed sign-ins from this address; see Retry-After")
@bp.doc(operationId="signInWithPasskey")
def passkey_sign_in(data):
    """Sign in with a passkey

    Sign in with a passkey's answer to a `sign_in` challenge (`credential`: what
    `navigator.credentials.get()` returned, as JSON): no username or password needed. The
    same tokens as /auth/login."""
    signed_in = identity.sign_in_with_passkey(data["challenge_id"], data["credential"],
                                              relying_party.of_request(), origin())
    return tokens.token_pair(signed_in)


@bp.post("/auth/refresh")
@bp.arguments(schemas.RefreshRequest)
@bp.response(200, schemas.TokenPair)
@bp.alt_response(401, description="Unknown, spent or ended; a spent token ends its session")
@bp.doc(operationId="refreshSession")
def refresh(data):
    """Refresh the session's tokens

    Exchange a refresh token for a new pair; the old refresh token stops working."""
    return tokens.token_pair(identity.refresh_session(data["refresh_token"]))


@bp.post("/auth/logout")
@bp.response(204)
@bp.alt_response(401, description="Not signed in")
@bp.doc(operationId="signOut")
@access.signed_in
def logout():
    """Sign out

    The session's access and refresh tokens stop working at once."""
    session_id = access.current_user()["session_id"]
    sessions.end_session(session_id)
    return ""


@bp.post("/auth/forgot-username")
@bp.arguments(schemas.ForgotUsernameRequest)
@bp.response(202)
@bp.alt_response(429, description="Too many requests for this email or from this address; see Retry-After (said whether or not the email has usernames)")
@bp.doc(operationId="requestUsernameReminder")
def forgot_username(data):
    """Mail a forgotten username

    Mail the usernames tied to an email address (202 whether or not there are any)."""
    identity.request_username_reminder(data["email"], origin())
    return ""


@bp.post("/auth/forgot-password")
@bp.arguments(schemas.ForgotPasswordRequest)
@bp.response(202)
@bp.alt_response(429, description="Too many requests for this username or from this address; see Retry-After (said whether or not the user exists)")
@bp.doc(operationId="requestPasswordReset")
def forgot_password(data):
    """Mail a password reset link

    Mail a single-use password reset link, valid 30 minutes (202 whatever the username)."""
    identity.request_password_reset(data["username"], origin())
    return ""


@bp.post("/auth/reset-password")
@bp.arguments(schemas.ResetPasswordRequest)
@bp.response(204)
@bp.alt_response(400, description="A new password against the rules")
@bp.alt_response(422, description="The link is used, expired or unknown; or a wrong challenge answer")
@bp.alt_response(429, description="Too many wrong challenge answers; see Retry-After")
@bp.doc(operationId="resetPassword")
def reset_password(data):
    """Reset the password

    Set a new password with the mailed token; every session of the user ends."""
    identity.reset_password(data["token"], data["new_password"], data.get("challenge_answer"))
    return ""
