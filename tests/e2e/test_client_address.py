"""Behind a proxy (issue 11 point 8): the client address the gateway hands identity (audit
trail, sign-in throttle, known devices) comes from X-Forwarded-For only when the direct peer
is a trusted proxy (FORWARDED_ALLOW_IPS; the session's system trusts loopback 127.0.0.1
only). A client connecting from 127.0.0.2 is an untrusted peer whose header must change
nothing. The real services and gunicorn gateway; the address is read back from the account's
audit trail, where identity records it."""
import http.client
import json
from urllib.parse import urlsplit

import pytest

from tests.support.auth_helpers import PASSWORD, login, new_user


def put_security_code(system, token, source, forwarded_for):
    """PUT /api/v1/me/security-code from ``source`` (the TCP peer the gateway sees)."""
    where = urlsplit(system.base_url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=10,
                                            source_address=(source, 0))
    try:
        connection.request("PUT", "/api/v1/me/security-code",
                           body=json.dumps({"current_password": PASSWORD, "security_code": "4821"}),
                           headers={"Authorization": f"Bearer {token}",
                                    "Content-Type": "application/json",
                                    "X-Forwarded-For": forwarded_for})
        response = connection.getresponse()
        assert response.status == 204, response.read()[:300]
    finally:
        connection.close()


def latest_address(system, token, number):
    import requests
    trail = requests.get(system.url(f"/api/v1/accounts/{number}/audit"), timeout=10,
                         headers={"Authorization": f"Bearer {token}"})
    assert trail.status_code == 200, trail.text
    return trail.json()["items"][0]["ip"]


@pytest.fixture
def signed_in(system):
    user = new_user(system)
    return user, login(system, user["username"]).json()["access_token"]


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_changes_nothing(system, signed_in):
    user, token = signed_in
    put_security_code(system, token, "127.0.0.2", "198.51.100.8")
    assert latest_address(system, token, user["account_number"]) == "127.0.0.2"


def test_the_trusted_proxy_s_forwarded_for_gives_the_client_address(system, signed_in):
    user, token = signed_in
    # the proxy appends the address it saw; what the client put before it is not believed
    put_security_code(system, token, "127.0.0.1", "203.0.113.66, 198.51.100.7")
    assert latest_address(system, token, user["account_number"]) == "198.51.100.7"
