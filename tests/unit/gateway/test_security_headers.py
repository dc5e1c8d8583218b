"""The security headers and cookie flags that depend on HTTPS, which the end-to-end system (plain
HTTP on loopback) cannot show: HSTS only over HTTPS or with an https PUBLIC_URL, and a Secure
session cookie with an https PUBLIC_URL. The gateway app in-process; services are a fake client."""
import pytest

from gateway.app import create_app
from gateway.security_headers import HSTS
from services.runtime import config
from tests.support.fakes import FakeRpc


@pytest.fixture
def make_client(tmp_path):
    def make(public_url):
        settings = config.load({"DATA_DIR": str(tmp_path), "ADMIN_TOKEN": "staff-token",
                                "PUBLIC_URL": public_url})
        return create_app(settings, rpc_client=FakeRpc()).test_client()
    return make


def session_cookie(response):
    cookie = next(c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("bizportal_session="))
    return {part.strip().lower() for part in cookie.split(";")[1:]}


def test_plain_http_gets_no_hsts_and_no_secure_cookie(make_client):
    response = make_client("http://127.0.0.1:8080").get("/")  # the sign-in form sets a cookie
    assert "Strict-Transport-Security" not in response.headers
    flags = session_cookie(response)
    assert {"httponly", "samesite=lax"} <= flags and "secure" not in flags


def test_an_https_public_url_means_hsts_and_a_secure_cookie(make_client):
    response = make_client("https://portal.bizportal.example").get("/")
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert {"httponly", "samesite=lax", "secure"} <= session_cookie(response)


def test_a_request_that_came_over_https_gets_hsts(make_client):
    client = make_client("http://127.0.0.1:8080")
    assert client.get("/healthz", base_url="https://localhost").headers[
        "Strict-Transport-Security"] == HSTS
    assert "Strict-Transport-Security" not in client.get("/healthz").headers


def test_api_problems_carry_the_policy_and_are_not_cached(make_client):
    response = make_client("http://127.0.0.1:8080").get("/api/v1/me")
    assert response.status_code == 401
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
