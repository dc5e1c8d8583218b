"""A leaked or guessed SECRET_KEY must not be enough to act as a user: the gateway honours an
access token only for a session identity really opened and that is still open. The real
services and gunicorn gateway; the attacker signs tokens with the system's real SECRET_KEY."""
import time
import uuid

import requests
from itsdangerous import URLSafeTimedSerializer

from gateway.auth import tokens
from tests.support.auth_helpers import login, new_user


def forge(system, user_id, session_id, username):
    signer = URLSafeTimedSerializer(system.env["SECRET_KEY"], salt=tokens._SALT)
    return {"Authorization": "Bearer " + signer.dumps({"u": user_id, "s": session_id, "n": username})}


def statuses(system, path, headers, seconds=3.0):
    """The answers to requests repeated for a few seconds (``headers`` a function: a new
    forgery each time): long enough for every gateway worker to have caught up with its
    revocation feed (before that it asks identity about every token anyway)."""
    seen, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(requests.get(system.url(path), headers=headers(), timeout=10).status_code)
        time.sleep(0.1)
    return set(seen)


def test_a_token_signed_with_the_real_key_for_a_session_never_opened_is_401(system):
    user = new_user(system)
    login(system, user["username"])  # the user has a real session too; the token names another
    def headers():
        return forge(system, user["user_id"], str(uuid.uuid4()), user["username"])
    for path in ("/api/v1/me", f"/api/v1/accounts/{user['account_number']}/summary"):
        assert statuses(system, path, headers) == {401}, path


def test_a_forged_token_that_borrows_a_real_session_of_another_user_is_401(system):
    victim, attacker = new_user(system), new_user(system)
    real = login(system, attacker["username"]).json()["access_token"]
    session_id = URLSafeTimedSerializer(system.env["SECRET_KEY"], salt=tokens._SALT).loads(real)["s"]
    assert statuses(system, "/api/v1/me",
                    lambda: forge(system, victim["user_id"], session_id, victim["username"])) == {401}


def test_a_real_token_still_works_and_stops_at_sign_out(system):
    user = new_user(system)
    headers = {"Authorization": "Bearer " + login(system, user["username"]).json()["access_token"]}
    for _ in range(3):
        assert requests.get(system.url("/api/v1/me"), headers=headers, timeout=10).status_code == 200
    assert requests.post(system.url("/api/v1/auth/logout"), headers=headers,
                         timeout=10).status_code == 204
    assert requests.get(system.url("/api/v1/me"), headers=headers, timeout=10).status_code == 401
