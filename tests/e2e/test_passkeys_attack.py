"""An outsider's probes of passkeys (issue 17 part 3) on the real system, beyond
tests/e2e/test_passkeys.py: a forwarded host (X-Forwarded-Host, X-Forwarded-Server,
Forwarded) never becomes the relying party, whatever Host says, so an attacker's origin is
never accepted; and a passkey's name a stolen session writes is text of at most 60
characters that says something: markup stays text on the security page, control characters
and blank names are refused and change nothing; and a signed-out flood of sign-in options
(a challenge row each) stops at the address's allowance."""
import re

import requests

from services.identity.throttle import QUOTAS
from tests.support.auth_helpers import PASSWORD, new_user
from tests.support.passkey_portal import Portal, signed_in
from tests.support.soft_authenticator import SoftAuthenticator

FORWARDED = ({"X-Forwarded-Host": "evil.example"}, {"X-Forwarded-Server": "evil.example"},
             {"Forwarded": "host=evil.example;proto=https"},
             {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"})


def test_a_forwarded_host_is_never_the_relying_party(system):
    user = new_user(system)
    portal, device = signed_in(system, user), SoftAuthenticator()
    assert portal.register(device).status_code == 201
    for headers in FORWARDED:
        options = portal.http.post(system.url("/api/v1/auth/passkey/options"), json={},
                                   timeout=10, headers={"Host": portal.host, **headers})
        assert options.status_code == 200, options.text
        assert options.json()["options"]["rpId"] == "localhost", headers
        # the browser at the attacker's site signs its own origin: refused
        answer = {"challenge_id": options.json()["challenge_id"], "credential": device.get(
            options.json()["options"], "https://evil.example", rp_id="evil.example")}
        refused = portal.http.post(system.url("/api/v1/auth/passkey"), json=answer,
                                   timeout=10, headers={"Host": portal.host, **headers})
        assert refused.status_code == 401, (headers, refused.text)
        # and the attacker's Host with a forwarded localhost is the attacker's host still
        spoofed = portal.http.post(system.url("/api/v1/auth/passkey/options"), json={},
                                   timeout=10, headers={"Host": "evil.example",
                                                        "X-Forwarded-Host": portal.host})
        assert spoofed.status_code == 400 and "host" in spoofed.json()["errors"]


def test_a_hostile_passkey_name_is_refused_or_shown_as_text(system):
    user = new_user(system)
    portal, device = signed_in(system, user), SoftAuthenticator()
    added = portal.register(device)
    assert added.status_code == 201, added.text
    passkey = added.json()
    rename = f"/api/v1/me/passkeys/{passkey['id']}"
    for name in ("x" * 61, "x" * 10_000, "a\u0000b", "a\nb", "a\u202eb", "   ", "\u3000",
                 "", 7, None):
        refused = portal.call("PATCH", rename, json={"name": name})
        assert refused.status_code == 400, (name, refused.text)
        assert refused.headers["Content-Type"] == "application/problem+json"
    assert [p["name"] for p in portal.call("GET", "/api/v1/me/passkeys").json()["items"]] == [
        "Work laptop"]
    hostile = '<script>alert(1)</script>"><img src=x>'
    assert portal.call("PATCH", rename, json={"name": hostile}).json()["name"] == hostile
    page = web_page(system, user, "/security")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def web_page(system, user, path):
    browser = requests.Session()
    headers = {"Host": f"localhost:{system.port}"}
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(
        system.url("/"), headers=headers, timeout=10).text).group(1)
    signed = browser.post(system.url("/"), headers=headers, timeout=10, data={
        "csrf_token": csrf, "username": user["username"], "password": PASSWORD})
    assert signed.url.endswith("/dashboard"), signed.url
    return browser.get(system.url(path), headers=headers, timeout=10).text


def test_a_flood_of_passkey_sign_in_options_stops_at_the_addresss_allowance(system):
    """Each options request keeps a challenge row for ten minutes, asked by anyone signed
    out: unbounded, one address could fill identity's table. Its allowance is per address
    and per hour (throttle.QUOTAS["passkey_options_ip"]); other addresses are not slowed."""
    flooder = Portal(system)
    answers = [flooder.call("POST", "/api/v1/auth/passkey/options", json={}).status_code
               for _ in range(QUOTAS["passkey_options_ip"] + 5)]
    assert answers.count(200) == QUOTAS["passkey_options_ip"], answers
    refused = flooder.call("POST", "/api/v1/auth/passkey/options", json={})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert Portal(system).call("POST", "/api/v1/auth/passkey/options",
                               json={}).status_code == 200
