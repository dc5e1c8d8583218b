"""The API's access tokens: signed here (itsdangerous, SECRET_KEY) for sessions that identity
opened, living ACCESS_TOKEN_SECONDS. A signature alone proves only that someone held
SECRET_KEY, so a token is honoured only for a session identity confirms is open and the
token's user's (gateway.auth.sessions)."""
from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from gateway.auth import sessions
from gateway.auth.sessions import ACCESS_TOKEN_SECONDS

_SALT = "bizportal.access-token.v1"


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_access_token(user_id, session_id, username):
    """A signed access token for a session identity opened (also handy in tests)."""
    return _serializer().dumps({"u": user_id, "s": session_id, "n": username})


def token_pair(signed_in):
    """The API reply to a sign-in or refresh: identity's answer plus a fresh access token."""
    sessions.confirmed_sessions().remember(signed_in["session_id"], signed_in["user_id"])
    return {"access_token": issue_access_token(signed_in["user_id"], signed_in["session_id"],
                                               signed_in["username"]),
            "refresh_token": signed_in["refresh_token"], "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_SECONDS}


def bearer_user():
    """``{user_id, session_id, username}`` of the request's bearer token, or None when it
    has none, a bad or expired one, or one for a session that is no longer open."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    try:
        data = _serializer().loads(token.strip(), max_age=ACCESS_TOKEN_SECONDS)
    except BadSignature:  # includes SignatureExpired
        return None
    if not sessions.is_open(data["u"], data["s"]):
        return None
    return {"user_id": data["u"], "session_id": data["s"], "username": data["n"]}
