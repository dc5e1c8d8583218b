"""gateway/proxies.py: X-Forwarded-For and X-Forwarded-Proto are believed only from a peer in
FORWARDED_ALLOW_IPS, and then only the hop that proxy added. The real Flask app with a probe
route; no service is called."""
import pytest

from gateway.app import create_app
from services.runtime import config
from tests.support.fakes import FakeRpc


@pytest.fixture
def make_client(tmp_path):
    def make(allowed=None):
        env = {"DATA_DIR": str(tmp_path), "SECRET_KEY": "k" * 32}
        if allowed is not None:
            env["FORWARDED_ALLOW_IPS"] = allowed
        app = create_app(config.load(env), rpc_client=FakeRpc())

        @app.get("/probe")
        def probe():
            from flask import request
            return {"addr": request.remote_addr, "scheme": request.scheme}
        return app.test_client()
    return make


def seen(client, peer, **headers):
    return client.get("/probe", headers=headers, environ_base={"REMOTE_ADDR": peer}).get_json()


def test_an_untrusted_peer_s_forwarded_headers_change_nothing(make_client):
    client = make_client("10.0.0.0/8")
    assert seen(client, "203.0.113.9", **{"X-Forwarded-For": "198.51.100.7",
                                          "X-Forwarded-Proto": "https"}) == {
        "addr": "203.0.113.9", "scheme": "http"}


def test_a_trusted_proxy_gives_the_address_it_saw_and_the_scheme(make_client):
    client = make_client("10.0.0.0/8, 192.0.2.1")
    headers = {"X-Forwarded-For": "6.6.6.6, 198.51.100.7", "X-Forwarded-Proto": "https"}
    assert seen(client, "10.1.2.3", **headers) == {"addr": "198.51.100.7", "scheme": "https"}
    assert seen(client, "192.0.2.1", **headers)["addr"] == "198.51.100.7"
    assert seen(client, "192.0.2.2", **headers)["addr"] == "192.0.2.2"


def test_loopback_is_trusted_by_default_as_gunicorn_does_and_star_trusts_all(make_client):
    headers = {"X-Forwarded-For": "198.51.100.7"}
    assert seen(make_client(), "127.0.0.1", **headers)["addr"] == "198.51.100.7"
    assert seen(make_client(), "127.0.0.2", **headers)["addr"] == "127.0.0.2"
    assert seen(make_client("*"), "203.0.113.9", **headers)["addr"] == "198.51.100.7"


def test_a_garbage_forwarded_for_from_a_trusted_proxy_keeps_the_peer(make_client):
    client = make_client("10.0.0.0/8")
    for value in ("", "not-an-address", "198.51.100.7 x", "999.1.1.1"):
        assert seen(client, "10.1.2.3", **{"X-Forwarded-For": value})["addr"] == "10.1.2.3"
