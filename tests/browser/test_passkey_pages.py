"""Passkeys in Chromium against the real system, with Chromium's own virtual authenticator
(Chrome DevTools Protocol: WebAuthn.enable, WebAuthn.addVirtualAuthenticator through
Playwright's CDP session): a customer adds a passkey on /security (current password first),
signs out and signs in with it alone, then uses it instead of the 2-step code; renames and
removes it. The portal is opened at http://localhost:PORT: Chromium refuses WebAuthn on an
IP-address origin, so the relying party is the host the browser used. No console errors; the
page passes axe."""
import pyotp
import pytest
import requests
from playwright.sync_api import expect

from tests.browser import checkers
from tests.support.auth_helpers import PASSWORD, mails_to, new_user, text_of
from tests.support.portal_browser import flashes, sign_in
from tests.support.system import eventually

AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                 "hasUserVerification": True, "isUserVerified": True}


@pytest.fixture
def local(browser, system):
    """A page of a browser context at http://localhost:PORT with a virtual platform
    authenticator (``local.credentials()`` lists what it holds)."""
    context = browser.new_context(base_url=f"http://localhost:{system.port}")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator",
                             {"options": AUTHENTICATOR})["authenticatorId"]
    page.errors = errors
    page.credentials = lambda: cdp.send("WebAuthn.getCredentials", {
        "authenticatorId": authenticator})["credentials"]
    yield page
    context.close()


def expand(p, header):
    section = p.locator("details.expander", has=p.get_by_role("heading", name=header, exact=True))
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    return section


def add_passkey(p, name, password=PASSWORD):
    p.goto("/security")
    section = expand(p, "Passkeys")
    section.get_by_label("Name for the new passkey").fill(name)
    section.get_by_label("Current password").last.fill(password)
    section.get_by_role("button", name="Add a passkey").click()
    return section


def sign_out(p):
    p.get_by_role("button", name="Sign out").first.click()
    p.wait_for_load_state()


def test_a_customer_adds_a_passkey_and_signs_in_with_it_alone(local, system):
    user, p = new_user(system), local
    sign_in(p, user["username"])
    section = add_passkey(p, "Work laptop", password="not my password")
    expect(section.locator(".passkey-status")).to_contain_text(
        "Your current password is not right.")
    assert p.credentials() == []
    add_passkey(p, "Work laptop")
    p.wait_for_url("**/security?open=passkeys")
    assert "Your passkey Work laptop is added" in flashes(p)
    (held,) = p.credentials()
    assert held["isResidentCredential"] and held["rpId"] == "localhost"
    row = p.locator("#passkeys-table tbody tr")
    assert row.count() == 1 and row.locator(".passkey-name").inner_text() == "Work laptop"
    found = checkers.blocking(checkers.axe_violations(p))
    assert found == [], checkers.report({"/security#passkeys": found})

    p.context.clear_cookies()
    p.goto("/")
    p.get_by_role("button", name="Sign in with a passkey").click()
    p.wait_for_url("**/dashboard")
    p.goto("/security?open=passkeys")
    assert "Not yet" not in p.locator("#passkeys-table").inner_text()  # last used: now
    assert p.credentials()[0]["signCount"] >= 1
    eventually(lambda: [m for m in mails_to(system, user["email"])
                        if "passkey was added" in text_of(m)])
    assert p.errors == [] or all("401" in e or "400" in e for e in p.errors), p.errors


def test_a_passkey_stands_for_the_code_and_is_renamed_and_removed(local, system):
    user, p = new_user(system), local
    sign_in(p, user["username"])
    api = requests.Session()  # 2-step on through the API (its own test covers the pages)
    tokens = requests.post(system.url("/api/v1/auth/login"), timeout=10, json={
        "username": user["username"], "password": PASSWORD}).json()
    api.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    setup = api.post(system.url("/api/v1/me/2fa/totp"), timeout=10,
                     json={"current_password": PASSWORD}).json()
    assert api.post(system.url("/api/v1/me/2fa/totp/confirm"), timeout=10, json={
        "code": pyotp.TOTP(setup["secret"]).now(),
        "current_password": PASSWORD}).status_code == 204
    add_passkey(p, "Phone")
    p.wait_for_url("**/security?open=passkeys")

    p.context.clear_cookies()
    sign_in(p, user["username"])  # the password is right: the page asks for the second step
    assert p.get_by_label("Code from your authenticator app").is_visible()
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Use a passkey instead of the code").click()
    p.wait_for_url("**/dashboard")

    p.goto("/security?open=passkeys")
    p.get_by_label("New name for Phone").fill("Pixel")
    p.get_by_role("button", name="Rename").click()
    p.wait_for_load_state()
    assert "Your passkey is renamed." in flashes(p)
    p.get_by_label("Current password to remove Pixel").fill("a guess")
    p.get_by_role("button", name="Remove").click()
    p.wait_for_load_state()
    assert "Your current password is not right." in flashes(p)
    p.get_by_label("Current password to remove Pixel").fill(PASSWORD)
    p.get_by_role("button", name="Remove").click()
    p.wait_for_load_state()
    assert "Your passkey is removed." in flashes(p)
    assert p.locator("#no-passkeys").is_visible()
