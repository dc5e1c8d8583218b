"""Payload schemas of identity's public requests, shared by the gateway (docs, first check)
and the identity service (which loads them again: it trusts no caller)."""
from marshmallow import Schema, fields, post_load, validate

from services.contracts import validators

ACCOUNT_NUMBER = validate.Regexp(r"^\d{16}$", error="An account number is 16 digits.")
USERNAME = validate.Regexp(
    r"^[A-Za-z0-9._-]{6,32}$",
    error="Use 6 to 32 characters: letters, digits, '.', '_' or '-'.")
# The password rules themselves (length, common list, username) are identity's: here only a
# bound so that nobody makes the gateway parse a megabyte of password.
PASSWORD = validate.Length(1, 1024)
NAME = validate.Length(1, 60)
TOKEN = validate.Length(16, 200)


class _Email(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        return validators.email(super()._deserialize(value, attr, data, **kwargs))


class SignupRequest(Schema):
    account_number = fields.String(required=True, validate=ACCOUNT_NUMBER)
    security_key = fields.String(required=True, validate=validate.Length(1, 40))
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=PASSWORD, load_only=True)
    email = _Email(required=True, validate=validate.Length(max=254))
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)

    @post_load
    def strip(self, data, **_):
        for key in ("first_name", "last_name"):
            data[key] = data[key].strip()
        return data


class SignedUp(Schema):
    user_id = fields.String(required=True)
    username = fields.String(required=True)


class LoginRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(1, 64))
    password = fields.String(required=True, validate=PASSWORD, load_only=True)
    totp_code = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"))


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
    username = fields.String(required=True, validate=validate.Length(1, 64))


class ResetPasswordRequest(Schema):
    token = fields.String(required=True, validate=TOKEN, load_only=True)
    new_password = fields.String(required=True, validate=PASSWORD, load_only=True)
    challenge_answer = fields.String(load_default=None, validate=validate.Length(1, 200),
                                     load_only=True)


class ChangePasswordRequest(Schema):
    current_password = fields.String(required=True, validate=PASSWORD, load_only=True)
    new_password = fields.String(required=True, validate=PASSWORD, load_only=True)


class ProfileChange(Schema):
    email = _Email(validate=validate.Length(max=254))
    first_name = fields.String(validate=NAME)
    last_name = fields.String(validate=NAME)


class UserAccount(Schema):
    account_number = fields.String(required=True)
    company_name = fields.String(allow_none=True)
    role = fields.String(required=True)


class Me(Schema):
    user_id = fields.String(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    accounts = fields.List(fields.Nested(UserAccount))


class User(Schema):
    user_id = fields.String(required=True)
    username = fields.String(required=True)
    email = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
