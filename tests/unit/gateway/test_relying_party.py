"""The WebAuthn relying party of a request: the host the browser used, only when it is
PUBLIC_URL's or localhost (gateway/relying_party.py)."""
import pytest
from flask import Flask

from gateway import relying_party
from services.contracts.errors import InvalidInput


def rp_for(host, public_url="https://portal.bizportal.example", scheme="http"):
    app = Flask(__name__)
    app.config["PUBLIC_URL"] = public_url
    with app.test_request_context("/", base_url=f"{scheme}://{host}"):
        return relying_party.of_request()


def test_localhost_in_development_is_its_own_relying_party_with_its_port():
    assert rp_for("localhost:8080", "http://localhost:8080") == {
        "id": "localhost", "origin": "http://localhost:8080", "name": "BizPortal"}


def test_the_public_host_behind_the_ingress_is_the_relying_party():
    assert rp_for("portal.bizportal.example", scheme="https") == {
        "id": "portal.bizportal.example", "origin": "https://portal.bizportal.example",
        "name": "BizPortal"}
    assert rp_for("LOCALHOST:5000")["id"] == "localhost"  # always allowed, any port


@pytest.mark.parametrize("host", ["evil.example", "portal.bizportal.example.evil.example",
                                  "10.0.0.5:8080", "evil.example@localhost", "[::1]:8080"])
def test_a_host_off_the_list_is_refused(host):
    with pytest.raises(InvalidInput) as refused:
        rp_for(host)
    assert "host" in refused.value.errors


def test_the_allow_list_is_public_urls_host_and_localhost():
    assert relying_party.allowed_hosts("http://127.0.0.1:8080") == {"127.0.0.1", "localhost"}
