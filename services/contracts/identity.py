"""Payload schemas of identity's public requests, shared by the gateway (docs, first check)
and the identity service (which loads them again: it trusts no caller)."""
from marshmallow import Schema, fields, post_load, validate

from services.contracts import roles, validators
from services.contracts.formats import DATE, DATE_TIME, Timestamp

ACCOUNT_NUMBER = validators.ACCOUNT_NUMBER
USERNAME = validators.Pattern(
    r"^[A-Za-z0-9._-]{6,32}$",
    error="Use 6 to 32 characters: letters, digits, '.', '_' or '-'.")
# The password rules themselves (length, common list, username) are identity's: here only a
# bound so that nobody makes the gateway parse a megabyte of password.
PASSWORD = validate.Length(1, 1024)
NAME = validators.text(1, 60)  # and no control characters
TOKEN = validate.Length(16, 200)
# An access token's lifetime: the gateway signs and checks tokens for it; identity keeps the
# sessions ended within it (and a minute more) for the gateway's revocation set.
ACCESS_TOKEN_SECONDS = 600


class _Email(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return validators.email(super()._deserialize(value, attr, data, **kwargs))


class _NewOnlineId(Schema):
    """What every way of creating an online ID asks (sign-up, accepting an invitation)."""
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=PASSWORD, load_only=True)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)

    @post_load
    def strip(self, data, **_):
        for key in ("first_name", "last_name"):
            data[key] = data[key].strip()
        return data


class SignupRequest(_NewOnlineId):
    account_number = fields.String(required=True, validate=ACCOUNT_NUMBER)
    security_key = fields.String(required=True, validate=validators.text(1, 40))
    email = _Email(required=True, validate=validate.Length(max=254))


class LinkAccountRequest(Schema):
    """Another account for the signed-in online ID: its number and the key on its invoice."""
    account_number = fields.String(required=True, validate=ACCOUNT_NUMBER)
    security_key = fields.String(required=True, validate=validators.text(1, 40),
                                 load_only=True)


class LinkedAccount(Schema):
    account_number = fields.String(required=True)
    role = fields.String(required=True, metadata={"description": "always `admin`: the first "
                                                                 "online ID of an account is "
                                                                 "its admin"})


class SignedUp(Schema):
    user_id = fields.String(required=True)
    username = fields.String(required=True)


class LoginRequest(Schema):
    username = fields.String(required=True, validate=validators.text(1, 64))
    password = fields.String(required=True, validate=PASSWORD, load_only=True)
    # six digits from the authenticator app, or a recovery code (XXXXX-XXXXX)
    totp_code = fields.String(load_default=None, validate=validators.Pattern(
        f"^({validators.TOTP_CODE_FORM}|{validators.RECOVERY_CODE_FORM})$",
        error="Enter the 6-digit code from your authenticator app, or a recovery code."))
    passkey = fields.Nested(lambda: PasskeyAssertion(), load_default=None, metadata={
        "description": "instead of `totp_code`: a passkey's answer to a `second_step` "
                       "challenge (POST /api/v1/auth/passkey/options)"})


class TokenPair(Schema):
    access_token = fields.String(required=True)
    refresh_token = fields.String(required=True)
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True)


class RefreshRequest(Schema):
    refresh_token = fields.String(required=True, validate=TOKEN, load_only=True)


class ForgotUsernameRequest(Schema):
    email = _Email(required=True, validate=validate.Length(max=254))


class ForgotPasswordRequest(Schema):
    username = fields.String(required=True, validate=validators.text(1, 64))


class ResetPasswordRequest(Schema):
    token = fields.String(required=True, validate=TOKEN, load_only=True)
    new_password = fields.String(required=True, validate=PASSWORD, load_only=True)
    challenge_answer = fields.String(load_default=None, validate=validate.Length(1, 200),
                                     load_only=True)


class ChangePasswordRequest(Schema):
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)
    new_password = fields.String(required=True, validate=PASSWORD, load_only=True)


class ProfileChange(Schema):
    email = _Email(validate=validate.Length(max=254), metadata={
        "description": "A new email needs `current_password` and takes effect only when the "
                       "link mailed to it is followed (`pending_email` until then)"})
    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)
    current_password = fields.String(validate=PASSWORD, load_only=True, metadata={
        "description": "required with a new `email`"})


class EmailConfirm(Schema):
    token = fields.String(required=True, validate=TOKEN, load_only=True)


class UserAccount(Schema):
    account_number = fields.String(required=True)
    company_name = fields.String(allow_none=True)
    role = fields.String(required=True)


_PENDING = {"description": "a new email waiting for its mailed link to be followed"}


class Me(Schema):
    user_id = fields.String(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    pending_email = fields.String(allow_none=True, metadata=_PENDING)
    accounts = fields.List(fields.Nested(UserAccount))


class User(Schema):
    user_id = fields.String(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    pending_email = fields.String(allow_none=True, metadata=_PENDING)


ROLE = validate.OneOf(list(roles.ROLES), error="Choose admin, billing or viewer.")


class SecurityCodeRequest(Schema):
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)
    security_code = fields.String(required=True, load_only=True, validate=validators.Pattern(
        validators.whole(validators.SECURITY_CODE_FORM), error="Enter exactly 4 digits."))


class ChallengeQuestion(Schema):
    id = fields.Integer(required=True)
    text = fields.String(required=True)


class ChallengeQuestions(Schema):
    items = fields.List(fields.Nested(ChallengeQuestion), required=True)


class ChallengeRequest(Schema):
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)
    question_id = fields.Integer(required=True)
    answer = fields.String(required=True, validate=validate.Length(1, 200), load_only=True)


class SecurityPreferences(Schema):
    sign_in_alerts = fields.Boolean(required=True)
    require_security_code_for_payments = fields.Boolean(required=True)


class SecurityPreferenceChanges(Schema):
    """The changes identity's update_security_preferences takes (the password apart)."""
    sign_in_alerts = validators.Boolean()
    require_security_code_for_payments = validators.Boolean()


class SecurityPreferencesChange(SecurityPreferenceChanges):
    current_password = fields.String(validate=PASSWORD, load_only=True, metadata={
        "description": "required to stop requiring the security code for payments"})


class SecurityStatus(Schema):
    """What the Security page shows: which settings are in place (never their values)."""
    security_code_set = fields.Boolean(required=True)
    challenge_question_id = fields.Integer(allow_none=True)
    totp_enabled = fields.Boolean(required=True)
    totp_pending = fields.Boolean(required=True, metadata={
        "description": "set up but not confirmed yet"})
    recovery_codes_left = fields.Integer(required=True)
    preferences = fields.Nested(SecurityPreferences, required=True)


class TotpSetup(Schema):
    secret = fields.String(required=True)
    otpauth_uri = fields.String(required=True)
    recovery_codes = fields.List(fields.String(), required=True, metadata={
        "description": "Ten single-use codes, shown only now; they work once 2-step "
                       "sign-in is confirmed."})


class TotpStart(Schema):
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)


class TotpConfirm(Schema):
    code = fields.String(required=True, validate=validators.Pattern(
        validators.whole(validators.TOTP_CODE_FORM),
        error="Enter the 6-digit code from your authenticator app."))
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)


class TotpDisable(Schema):
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)


class AccountUser(Schema):
    user_id = fields.String(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)


class AccountUsers(Schema):
    items = fields.List(fields.Nested(AccountUser), required=True)


class InviteRequest(Schema):
    email = _Email(required=True, validate=validate.Length(max=254))
    role = fields.String(required=True, validate=ROLE)


class Invited(Schema):
    id = fields.String(required=True, metadata={
        "description": "the invitation's id (GET and DELETE …/invitations)"})
    email = fields.String(required=True)
    role = fields.String(required=True)
    expires_at = fields.String(required=True, metadata=DATE_TIME)


class RoleChange(Schema):
    role = fields.String(required=True, validate=ROLE)


class InvitationAccept(_NewOnlineId):
    token = fields.String(required=True, validate=TOKEN, load_only=True)


class AuditItem(Schema):
    at = Timestamp(required=True, metadata=DATE_TIME)
    action = fields.String(required=True)
    detail = fields.String(required=True)
    actor_user_id = fields.String(allow_none=True)
    actor_username = fields.String(allow_none=True)
    subject_user_id = fields.String(allow_none=True)
    subject_username = fields.String(allow_none=True)
    ip = fields.String(allow_none=True)
    user_agent = fields.String(allow_none=True)
    source = fields.String(required=True)


class AuditTrail(Schema):
    items = fields.List(fields.Nested(AuditItem), required=True)
    next_cursor = fields.String(allow_none=True)


class PendingInvitation(Schema):
    id = fields.String(required=True)
    email = fields.String(required=True)
    role = fields.String(required=True)
    invited_by = fields.String(allow_none=True, metadata={
        "description": "the username of the admin who sent it"})
    created_at = Timestamp(required=True, metadata=DATE_TIME)
    expires_at = Timestamp(required=True, metadata=DATE_TIME)


class PendingInvitations(Schema):
    items = fields.List(fields.Nested(PendingInvitation), required=True)
    next_cursor = fields.String(allow_none=True)


# the accounts a user may see: identity's memberships with billing's company names

class AccountItem(Schema):
    account_number = fields.String(required=True)
    company_name = fields.String(allow_none=True)
    role = fields.String(required=True)
    amount_due_cents = fields.Integer(allow_none=True, metadata={
        "description": "what the account owes now (0 when in credit); null only when billing "
                       "does not know the account"})
    currency = fields.String(allow_none=True)
    due_date = fields.String(allow_none=True, metadata={
        **DATE, "description": "the newest statement's due date; null before the first one"})


class AccountList(Schema):
    items = fields.List(fields.Nested(AccountItem), required=True)


# the signed-in user's sessions (GET /api/v1/me/sessions)

class SessionItem(Schema):
    id = fields.String(required=True)
    created_at = Timestamp(required=True, metadata=DATE_TIME)
    last_seen_at = Timestamp(required=True, metadata=dict(DATE_TIME, description=(
        "when the session was last refreshed or confirmed by the gateway: within about "
        "ten minutes of its last use, not to the request")))
    ip = fields.String(allow_none=True, metadata={"description": "where it signed in from"})
    user_agent = fields.String(allow_none=True, metadata={
        "description": "the browser or app it signed in with, as it named itself"})
    current = fields.Boolean(required=True, metadata={
        "description": "true for the session making this request"})


class SessionPage(Schema):
    items = fields.List(fields.Nested(SessionItem), required=True)
    next_cursor = fields.String(allow_none=True)


# passkeys (WebAuthn): the signed-in user's, and signing in with one

_CREDENTIAL = {"description": "the PublicKeyCredential the browser returned, as JSON "
                              "(PublicKeyCredential.toJSON(): id, rawId, type, response "
                              "with base64url fields)"}


class PasskeyName(Schema):
    name = fields.String(required=True, validate=validators.text(1, 60), metadata={
        "description": "what you call it (\"Work laptop\")"})


class PasskeyOptionsRequest(Schema):
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)


class PasskeyOptions(Schema):
    challenge_id = fields.String(required=True, metadata={
        "description": "send it back with the browser's answer (single use, 5 minutes)"})
    options = fields.Dict(required=True, metadata={
        "description": "the `publicKey` options for navigator.credentials.create() or "
                       ".get(), binary fields as base64url (WebAuthn's JSON form)"})


class PasskeyAdd(PasskeyName):
    challenge_id = fields.String(required=True, validate=validate.Length(1, 36))
    credential = fields.Dict(required=True, metadata=_CREDENTIAL)


class PasskeyItem(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    created_at = fields.String(required=True, metadata=DATE_TIME)
    last_used_at = fields.String(allow_none=True, metadata=dict(DATE_TIME, description=(
        "the last sign-in with it; null before the first")))
    transports = fields.List(fields.String(), required=True, metadata={
        "description": "how the browser said it reaches the authenticator (internal, usb...)"})


class PasskeyList(Schema):
    items = fields.List(fields.Nested(PasskeyItem), required=True)


class PasskeyRemove(Schema):
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)


class PasskeySignInOptionsRequest(Schema):
    purpose = fields.String(load_default="sign_in", validate=validate.OneOf(
        ["sign_in", "second_step"]), metadata={
        "description": "`sign_in` (a passkey alone) or `second_step` (instead of a 2-step "
                       "code, sent with the password to /auth/login)"})


class PasskeyAssertion(Schema):
    challenge_id = fields.String(required=True, validate=validate.Length(1, 36))
    credential = fields.Dict(required=True, metadata=_CREDENTIAL)
