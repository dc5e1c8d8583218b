"""Sign-up, sign-in, refresh, sign-out through the JSON API on the real system."""
import requests

from tests.support.auth_helpers import PASSWORD, login, new_user, open_account
from tests.support.system import eventually


def bearer(tokens):
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def test_a_customer_signs_up_signs_in_refreshes_and_signs_out(system):
    user = new_user(system)
    response = login(system, user["username"].upper())
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer" and 0 < tokens["expires_in"] <= 900

    me = requests.get(system.url("/api/v1/me"), headers=bearer(tokens), timeout=10).json()
    assert me["username"] == user["username"] and me["first_name"] == "Rosa"
    assert me["accounts"] == [{"account_number": user["account_number"],
                               "company_name": user["company_name"], "role": "admin"}]

    refreshed = requests.post(system.url("/api/v1/auth/refresh"),
                              json={"refresh_token": tokens["refresh_token"]}, timeout=10)
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]

    assert requests.post(system.url("/api/v1/auth/logout"), headers=bearer(new),
                         timeout=10).status_code == 204
    # every gateway worker hears of the ending: no request with the old token gets through
    eventually(lambda: all(requests.get(system.url("/api/v1/me"), headers=bearer(new),
                                        timeout=10).status_code == 401 for _ in range(8)))
    assert requests.post(system.url("/api/v1/auth/refresh"),
                         json={"refresh_token": new["refresh_token"]}, timeout=10).status_code == 401


def test_reusing_a_spent_refresh_token_ends_the_session_everywhere(system):
    user = new_user(system)
    tokens = login(system, user["username"]).json()
    rotated = requests.post(system.url("/api/v1/auth/refresh"),
                            json={"refresh_token": tokens["refresh_token"]}, timeout=10).json()
    assert requests.get(system.url("/api/v1/me"), headers=bearer(rotated), timeout=10).ok
    reuse = requests.post(system.url("/api/v1/auth/refresh"),
                          json={"refresh_token": tokens["refresh_token"]}, timeout=10)
    assert reuse.status_code == 401
    eventually(lambda: all(requests.get(system.url("/api/v1/me"), headers=bearer(rotated),
                                        timeout=10).status_code == 401 for _ in range(8)))


def test_a_wrong_key_is_one_422_message_and_a_taken_username_409(system):
    opened = open_account(system)
    user = new_user(system)
    base = {"username": "fresh.name.1", "password": PASSWORD, "email": "x@harbor.example",
            "first_name": "A", "last_name": "B"}
    wrong_key = requests.post(system.url("/api/v1/signup"), json={
        **base, "account_number": opened["account_number"], "security_key": "ZZZZ9999"}, timeout=10)
    unknown = requests.post(system.url("/api/v1/signup"), json={
        **base, "account_number": "4000000000000002", "security_key": opened["security_key"]},
        timeout=10)
    assert wrong_key.status_code == unknown.status_code == 422
    assert wrong_key.json()["detail"] == unknown.json()["detail"]
    taken = requests.post(system.url("/api/v1/signup"), json={
        **base, "account_number": opened["account_number"],
        "security_key": opened["security_key"], "username": user["username"]}, timeout=10)
    assert taken.status_code == 409


def test_wrong_passwords_get_one_401_then_429_with_retry_after(system):
    user = new_user(system)
    unknown = login(system, "no.such.user.anywhere")
    wrong = login(system, user["username"], PASSWORD + "!")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]
    for _ in range(4):
        assert login(system, user["username"], "still not it at all").status_code == 401
    throttled = login(system, user["username"])
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) >= 1
    assert PASSWORD not in throttled.text


def test_no_password_or_token_reaches_a_log_line(system):
    user = new_user(system)
    tokens = login(system, user["username"]).json()
    for name in ("gateway", "identity", "notifications", "billing"):
        text = system.log_text(name)
        assert PASSWORD not in text and user["security_key"] not in text
        assert tokens["refresh_token"] not in text and tokens["access_token"] not in text



def test_a_gateway_started_after_a_sign_out_still_refuses_that_sessions_token(system):
    user = new_user(system)
    tokens = login(system, user["username"]).json()
    assert requests.post(system.url("/api/v1/auth/logout"), headers=bearer(tokens),
                         timeout=10).status_code == 204
    system.stop("gateway")  # its workers' revocation queues go with them
    system.start("gateway")
    system.wait_ready()
    # fresh workers never saw the event: they learn of the ending from identity, at once
    for _ in range(8):
        assert requests.get(system.url("/api/v1/me"), headers=bearer(tokens),
                            timeout=10).status_code == 401
