"""Web hardening end to end: every portal page and API reply carries the security headers
(a Content-Security-Policy without inline scripts or styles, nosniff, no referrer, no framing,
no caching), a portal form posted without its CSRF token is refused and changes nothing, and
the session cookie is HttpOnly and SameSite. The real services and gunicorn gateway; the
portal driven with a requests session as a browser would (cookie + CSRF token from the form).
The HTTPS-only parts (HSTS, Secure cookies) are in tests/unit/gateway/test_security_headers.py."""
import re
import uuid
from datetime import date, timedelta

import pytest
import requests

from gateway.security_headers import CSP, HEADERS
from tests.e2e import authz_matrix
from tests.support.auth_helpers import PASSWORD, login, new_user
from tests.support.api_client import add_method, bill, paid, statements
from tests.support.payment_methods import CARD

APP = authz_matrix.gateway_app()
PAGES = sorted(rule.rule for rule in APP.url_map.iter_rules()
               if "GET" in rule.methods and not rule.rule.startswith(("/api/", "/internal/"))
               and rule.endpoint not in ("web.static", "docs_assets"))


def csrf_token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def assert_hardened(response, static=False):
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, f"{name} on {response.url}"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
    if not static:
        assert response.headers.get("Cache-Control") == "no-store", response.url


@pytest.fixture(scope="module")
def portal(system):
    """A signed-in browser-like session of an admin whose account has a statement, a card and
    a scheduled payment; also the path values the portal's pages take."""
    user = new_user(system)
    number = user["account_number"]
    bill(system, number)
    api = requests.Session()
    api.headers["Authorization"] = "Bearer " + login(system, user["username"]).json()["access_token"]
    invoice = statements(system, api, number)[0]["invoice_number"]
    method = add_method(system, api, number, CARD)
    payment = paid(system, api, number, 500, method["id"],
                   scheduled_for=str(date.today() + timedelta(days=30)))

    browser = requests.Session()
    form = browser.get(system.url("/"), timeout=10)
    signed_in = browser.post(system.url("/"), allow_redirects=False, timeout=10, data={
        "username": user["username"], "password": PASSWORD, "csrf_token": csrf_token(form.text)})
    assert signed_in.status_code == 302, signed_in.text[:300]
    return {"browser": browser, "api": api, "user": user, "sign_in_reply": signed_in,
            "values": {"invoice_number": invoice, "payment_id": payment["id"],
                       "notification_id": str(uuid.uuid4())}}


@pytest.mark.parametrize("rule", PAGES)
def test_every_portal_page_carries_the_security_headers(system, portal, rule):
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: portal["values"].get(m.group(1), "x"), rule)
    response = portal["browser"].get(system.url(path), allow_redirects=False, timeout=15)
    assert response.status_code in (200, 301, 302), response.text[:300]
    assert_hardened(response)
    assert "<script>" not in response.text and " style=" not in response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text), "an inline script"
    assert not re.search(r"\son[a-z]+=\"", response.text), "an inline event handler"


def test_signed_out_pages_errors_and_redirects_carry_them_too(system):
    for path in ("/", "/signup", "/forgot-password", "/reset-password?token=secret-token",
                 "/dashboard", "/no-such-page"):
        response = requests.get(system.url(path), allow_redirects=False, timeout=10,
                                headers={"Accept": "text/html"})
        assert_hardened(response)


def test_every_kind_of_api_reply_carries_them(system, portal):
    number = portal["user"]["account_number"]
    replies = [
        portal["api"].get(system.url("/api/v1/me"), timeout=10),
        portal["api"].get(system.url(f"/api/v1/accounts/{number}/summary"), timeout=10),
        portal["api"].get(system.url("/api/v1/accounts/9999999999/summary"), timeout=10),
        requests.get(system.url("/api/v1/me"), timeout=10),
        requests.post(system.url("/api/v1/auth/login"), json={}, timeout=10),
        requests.get(system.url("/api/v1/openapi.json"), timeout=10),
        requests.get(system.url("/internal/v1/products"), timeout=10),
        system.staff().get(system.url("/internal/v1/products"), timeout=10),
        requests.get(system.url("/healthz"), timeout=10),
    ]
    assert [r.status_code for r in replies] == [200, 200, 404, 401, 400, 200, 401, 200, 200]
    for response in replies:
        assert_hardened(response)


def test_static_files_carry_them_and_may_be_cached(system):
    for path in ("/static/portal.css", "/static/api-docs.js", "/docs/assets/swagger-ui-bundle.js"):
        response = requests.get(system.url(path), timeout=10)
        assert response.status_code == 200
        assert_hardened(response, static=True)
        assert response.headers.get("Cache-Control") != "no-store"
    assert "script-src 'self';" in CSP and "style-src 'self';" in CSP


def test_a_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(system, portal):
    number = portal["user"]["account_number"]
    profile = system.url(f"/api/v1/accounts/{number}/profile")
    before = portal["api"].get(profile, timeout=10).json()
    for token in (None, "forged-token"):
        data = {"company_name": "Forged Holdings", "csrf_token": token}
        refused = portal["browser"].post(system.url("/account/profile"), data=data,
                                         allow_redirects=False, timeout=10,
                                         headers={"Accept": "text/html"})
        assert refused.status_code == 400, refused.text[:300]
        assert "CSRF" in refused.text
        assert_hardened(refused)
    assert portal["api"].get(profile, timeout=10).json() == before

    forged_sign_in = requests.post(system.url("/"), allow_redirects=False, timeout=10, data={
        "username": portal["user"]["username"], "password": PASSWORD})
    assert forged_sign_in.status_code == 400
    assert "bizportal_session" not in forged_sign_in.cookies


def test_the_session_cookie_is_http_only_and_same_site(portal):
    cookie = portal["sign_in_reply"].headers["Set-Cookie"]
    assert cookie.startswith("bizportal_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert "httponly" in flags and "samesite=lax" in flags
    assert "secure" not in flags  # PUBLIC_URL is http here; see the unit test for https


def test_hsts_is_sent_when_a_trusted_proxy_says_the_request_came_over_https(system):
    # gunicorn believes X-Forwarded-Proto from loopback only (forwarded_allow_ips)
    response = requests.get(system.url("/"), headers={"X-Forwarded-Proto": "https"}, timeout=10)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
