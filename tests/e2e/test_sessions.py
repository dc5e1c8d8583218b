"""Where you are signed in, through the JSON API on the real system: the list of your
sessions, ending one, ending every one but the current, and what a caller holding someone
else's session (or none) can do with them. An ended session's access token is refused at
once on every gateway worker (each request below may reach any of them) and its refresh token
no longer works."""
import re

import requests

from tests.support.auth_helpers import PASSWORD, mails_to, new_user, text_of
from tests.support.client_addresses import client_at
from tests.support.system import eventually

TRIES = 8  # requests in a row, spread over the gateway's workers


def sign_in(system, username, user_agent):
    response = requests.post(system.url("/api/v1/auth/login"), timeout=10,
                             json={"username": username, "password": PASSWORD},
                             headers={"User-Agent": user_agent})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens):
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def me_status(system, tokens):
    return requests.get(system.url("/api/v1/me"), headers=bearer(tokens), timeout=10).status_code


def refused_everywhere_at_once(system, tokens):
    """Every one of TRIES requests refuses the token: no waiting for the news to spread."""
    return [me_status(system, tokens) for _ in range(TRIES)] == [401] * TRIES


def refresh(system, tokens):
    return requests.post(system.url("/api/v1/auth/refresh"), timeout=10,
                         json={"refresh_token": tokens["refresh_token"]})


def listed(system, tokens, **params):
    response = requests.get(system.url("/api/v1/me/sessions"), headers=bearer(tokens),
                            params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def end(system, tokens, session_id=None):
    path = "/api/v1/me/sessions" + (f"/{session_id}" if session_id else "")
    return requests.delete(system.url(path), headers=bearer(tokens), timeout=10)


def session_id_of(system, tokens):
    (current,) = [s for s in listed(system, tokens)["items"] if s["current"]]
    return current["id"]


def test_two_sign_ins_are_listed_with_the_current_one_marked(system):
    user = new_user(system)
    laptop = sign_in(system, user["username"], "Mozilla/5.0 (Macintosh) Safari/18.1")
    phone = sign_in(system, user["username"], "BizPortal-iOS/2.4")

    page = listed(system, laptop)
    assert page["next_cursor"] is None
    assert [(s["user_agent"], s["current"]) for s in page["items"]] == [
        ("BizPortal-iOS/2.4", False), ("Mozilla/5.0 (Macintosh) Safari/18.1", True)]
    for item in page["items"]:
        assert item["ip"] == "127.0.0.1"  # the address the gateway saw
        assert item["created_at"] <= item["last_seen_at"]
    assert [s["current"] for s in listed(system, phone)["items"]] == [True, False]
    assert laptop["refresh_token"] not in str(page) and phone["refresh_token"] not in str(page)

    first = listed(system, laptop, limit=1)  # the API's list convention: a cursor
    rest = listed(system, laptop, limit=1, cursor=first["next_cursor"])
    assert [s["id"] for s in first["items"] + rest["items"]] == [
        s["id"] for s in page["items"]]


def test_ending_the_other_session_stops_its_tokens_at_once(system):
    user = new_user(system)
    mine = sign_in(system, user["username"], "Firefox/133.0")
    other = sign_in(system, user["username"], "curl/8.11")
    assert me_status(system, other) == 200
    other_id = session_id_of(system, other)

    response = end(system, mine, other_id)
    assert response.status_code == 204, response.text

    assert refused_everywhere_at_once(system, other)
    assert refresh(system, other).status_code == 401
    assert me_status(system, mine) == 200
    assert [s["id"] for s in listed(system, mine)["items"]] == [session_id_of(system, mine)]
    assert end(system, mine, other_id).status_code == 404  # ended: no longer one of yours


def test_signing_out_everywhere_else_keeps_the_current_session_working(system):
    user = new_user(system)
    others = [sign_in(system, user["username"], f"Tablet/{n}") for n in range(2)]
    current = sign_in(system, user["username"], "Chrome/131.0")

    assert end(system, current).status_code == 204

    for other in others:
        assert refused_everywhere_at_once(system, other)
        assert refresh(system, other).status_code == 401
    assert [me_status(system, current) for _ in range(TRIES)] == [200] * TRIES
    renewed = refresh(system, current)
    assert renewed.status_code == 200
    assert [s["user_agent"] for s in listed(system, renewed.json())["items"]] == ["Chrome/131.0"]

    def alerted():
        """the security alert reached the user's mailbox"""
        return [m for m in mails_to(system, user["email"])
                if "signed out everywhere" in text_of(m)]
    (alert,) = eventually(alerted)
    assert alert["Subject"] == "BizPortal security alert"


def test_another_users_session_is_not_found_and_goes_on(system):
    victim, attacker = new_user(system), new_user(system)
    victim_tokens = sign_in(system, victim["username"], "Firefox/133.0")
    attacker_tokens = sign_in(system, attacker["username"], "Evil/1.0")
    victim_session = session_id_of(system, victim_tokens)

    refused = end(system, attacker_tokens, victim_session)
    assert refused.status_code == 404
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert end(system, attacker_tokens, "no-such-session").json()["detail"] == \
        refused.json()["detail"]  # the same answer: nothing says the id exists
    assert end(system, attacker_tokens).status_code == 204  # ends only the attacker's others
    assert [me_status(system, victim_tokens) for _ in range(TRIES)] == [200] * TRIES
    assert victim_session not in str(listed(system, attacker_tokens))


def test_without_a_session_nothing_is_listed_or_ended(system):
    user = new_user(system)
    tokens = sign_in(system, user["username"], "Firefox/133.0")
    session_id = session_id_of(system, tokens)
    for method, path in (("GET", "/api/v1/me/sessions"), ("DELETE", "/api/v1/me/sessions"),
                         ("DELETE", f"/api/v1/me/sessions/{session_id}")):
        response = requests.request(method, system.url(path), timeout=10)
        assert response.status_code == 401, (method, path, response.text)
        assert session_id not in response.text
    assert me_status(system, tokens) == 200

    # a stolen session needs no password to end the owner's sessions, so ending them is all
    # it can do here; once ended itself (by the owner), it cannot list or end anything
    stolen = sign_in(system, user["username"], "Thief/0.1")
    assert end(system, tokens, session_id_of(system, stolen)).status_code == 204
    assert requests.get(system.url("/api/v1/me/sessions"), headers=bearer(stolen),
                        timeout=10).status_code == 401
    assert end(system, stolen).status_code == 401
    assert end(system, stolen, session_id).status_code == 401
    assert me_status(system, tokens) == 200


def test_a_portal_session_ended_through_the_api_is_signed_out_on_its_next_page(system):
    user = new_user(system)
    api = sign_in(system, user["username"], "Firefox/133.0")
    browser = requests.Session()
    browser.headers["User-Agent"] = "PortalBrowser/1.0"
    csrf = re.search(r'name="csrf_token" value="([^"]+)"',
                     browser.get(system.url("/"), timeout=10).text).group(1)
    signed_in = browser.post(system.url("/"), allow_redirects=False, timeout=10, data={
        "username": user["username"], "password": PASSWORD, "csrf_token": csrf})
    assert signed_in.status_code == 302
    assert browser.get(system.url("/dashboard"), allow_redirects=False,
                       timeout=10).status_code == 200
    (portal,) = [s for s in listed(system, api)["items"] if s["user_agent"] == "PortalBrowser/1.0"]

    assert end(system, api, portal["id"]).status_code == 204

    for _ in range(TRIES):  # every worker: the cookie is refused at once
        page = browser.get(system.url("/dashboard"), allow_redirects=False, timeout=10)
        assert page.status_code == 302 and page.headers["Location"].startswith("/?next="), \
            page.status_code
    assert me_status(system, api) == 200


def test_the_list_holds_no_other_users_session_or_address(system):
    mine, theirs = new_user(system), new_user(system)
    tokens = sign_in(system, mine["username"], "Firefox/133.0")
    stranger = client_at()
    signed = stranger.post(system.url("/api/v1/auth/login"), timeout=10, headers={
        "User-Agent": "Stranger/9.9"}, json={"username": theirs["username"],
                                              "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    page = listed(system, tokens, limit=100)
    assert stranger.address not in str(page) and "Stranger/9.9" not in str(page)
    assert {s["ip"] for s in page["items"]} == {"127.0.0.1"}
    theirs_page = listed(system, signed.json(), limit=100)
    assert [s["ip"] for s in theirs_page["items"]] == [stranger.address]
