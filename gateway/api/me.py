"""The signed-in user."""
from flask import request

from gateway.actors import actor, origin
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import identity
from gateway.clients.accounts import with_accounts
from services.contracts import identity as schemas

bp = ApiBlueprint("me", __name__, url_prefix="/api/v1", description="The signed-in user.",
                  access=(access.SIGNED_IN, None), signed_out="Not signed in")

# written out only by the views that name security before their operationId (so the
# published document keeps its key order); the others get it from their access
BEARER = [{"bearer": []}]


@bp.get("/me")
@bp.response(200, schemas.Me)
@bp.doc(operationId="getMe")
def get_me():
    """The signed-in user

    The signed-in user, with the accounts they belong to and their role on each."""
    return with_accounts(identity.get_user(access.current_user()["user_id"]))


@bp.patch("/me")
@bp.arguments(schemas.ProfileChange)
@bp.response(200, schemas.User)
@bp.alt_response(400, description="Invalid fields; a new email without `current_password`, "
                                  "or a wrong one")
@bp.alt_response(429, description="Too many wrong passwords, or too many email-change links "
                                  "for you or to that address; see Retry-After")
@bp.doc(security=BEARER, operationId="updateMe")
def patch_me(_validated):
    """Change your name or email

    Change your first or last name (at once) or your email. A new `email` needs your
    `current_password` and takes effect only when the link mailed to it is followed (single
    use, 30 minutes): until then `email` stays as it was, `pending_email` shows the new one,
    and everything (reset links, alerts) still goes to the current address, which is told at
    once. When it takes effect your other sessions end."""
    user = access.current_user()
    return identity.update_user(user["user_id"], request.get_json(), user["session_id"], actor())


@bp.post("/me/email/confirm")
@bp.arguments(schemas.EmailConfirm)
@bp.response(204)
@bp.alt_response(422, description="The link is unknown, used, expired or superseded")
@bp.doc(security=[], operationId="confirmEmailChange")
@access.public
def confirm_email(data):
    """Confirm an email change

    Apply an email change with the token of the link mailed to the new address (no
    sign-in needed: the link may be opened anywhere). The user's other sessions end."""
    identity.confirm_email_change(data["token"], origin())
    return ""


@bp.put("/me/password")
@bp.arguments(schemas.ChangePasswordRequest)
@bp.response(204)
@bp.alt_response(400, description="Current password wrong, or a new one against the rules")
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(operationId="changePassword")
def change_password(data):
    """Change your password

    Change your password (the current one required); your other sessions end."""
    user = access.current_user()
    identity.change_password(user["user_id"], user["session_id"], data["current_password"],
                             data["new_password"])
    return ""


@bp.get("/me/security")
@bp.response(200, schemas.SecurityStatus)
@bp.doc(operationId="getSecuritySettings")
def get_security():
    """Your security settings

    Which security settings you have in place (never the secrets themselves)."""
    return identity.get_security_settings(access.current_user()["user_id"])


@bp.put("/me/security-code")
@bp.arguments(schemas.SecurityCodeRequest)
@bp.response(204)
@bp.alt_response(400, description="Not 4 digits, or the current password is wrong")
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(operationId="setSecurityCode")
def put_security_code(data):
    """Set your security code

    Set or change your 4-digit security code (your current password required)."""
    identity.set_security_code(access.current_user()["user_id"], data["current_password"],
                               data["security_code"], actor())
    return ""


@bp.get("/challenge-questions")
@bp.response(200, schemas.ChallengeQuestions)
@bp.doc(operationId="listChallengeQuestions")
@access.public
def challenge_questions():
    """The challenge questions

    The challenge questions one may choose (no sign-in needed)."""
    return identity.list_challenge_questions()


@bp.put("/me/challenge")
@bp.arguments(schemas.ChallengeRequest)
@bp.response(204)
@bp.alt_response(400, description="Unknown question, answer too short, wrong current password")
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(operationId="setChallenge")
def put_challenge(data):
    """Set your challenge question

    Set your challenge question and answer: asked, besides the mailed link, when you
    reset your password (never a way in on its own)."""
    identity.set_challenge(access.current_user()["user_id"], data["current_password"],
                           data["question_id"], data["answer"], actor())
    return ""


@bp.get("/me/security-preferences")
@bp.response(200, schemas.SecurityPreferences)
@bp.doc(operationId="getSecurityPreferences")
def get_security_preferences():
    """Your security preferences

    Your security preferences. Security alerts are always sent: not a preference."""
    return identity.get_security_preferences(access.current_user()["user_id"])


@bp.patch("/me/security-preferences")
@bp.arguments(schemas.SecurityPreferencesChange)
@bp.response(200, schemas.SecurityPreferences)
@bp.alt_response(400, description="Not booleans; requiring a security code not yet set; "
                                  "no longer requiring it without `current_password` or "
                                  "with a wrong one")
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(security=BEARER, operationId="updateSecurityPreferences")
def patch_security_preferences(data):
    """Change your security preferences

    Turn sign-in alerts (an email for each sign-in from a new browser or address) and
    the security code for payments on or off. Turning the code for payments off needs your
    `current_password`."""
    data = dict(data)
    password = data.pop("current_password", None)
    return identity.update_security_preferences(access.current_user()["user_id"], data, actor(),
                                                password)


@bp.post("/me/2fa/totp")
@bp.arguments(schemas.TotpStart)
@bp.response(200, schemas.TotpSetup)
@bp.alt_response(400, description="The current password is missing or wrong")
@bp.alt_response(409, description="2-step sign-in is already on")
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(security=BEARER, operationId="startTotp")
def start_totp(data):
    """Begin 2-step sign-in

    Begin 2-step sign-in (your current password required): a secret and an otpauth://
    URI for your authenticator app, and ten single-use recovery codes shown only now. It is
    on once confirmed."""
    return identity.start_totp(access.current_user()["user_id"], data["current_password"])


@bp.post("/me/2fa/totp/confirm")
@bp.arguments(schemas.TotpConfirm)
@bp.response(204)
@bp.alt_response(400, description="The code does not match, or the current password is "
                                  "missing or wrong")
@bp.alt_response(409, description="Not set up, or already on")
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(security=BEARER, operationId="confirmTotp")
def confirm_totp(data):
    """Turn 2-step sign-in on

    Turn 2-step sign-in on with a current code from your app and your current password;
    from then on signing in needs `totp_code` (or a recovery code, once each)."""
    identity.confirm_totp(access.current_user()["user_id"], data["code"], actor(),
                          data["current_password"])
    return ""


@bp.delete("/me/2fa/totp")
@bp.arguments(schemas.TotpDisable)
@bp.response(204)
@bp.alt_response(400, description="The current password is wrong")
@bp.alt_response(409, description="2-step sign-in is not on")
@bp.alt_response(429, description="Too many wrong passwords; see Retry-After")
@bp.doc(operationId="disableTotp")
def disable_totp(data):
    """Turn 2-step sign-in off

    Turn 2-step sign-in off (your current password required)."""
    identity.disable_totp(access.current_user()["user_id"], data["current_password"], actor())
    return ""
