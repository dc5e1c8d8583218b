"""The /security page in Chromium against the real system: a customer sets a security code,
a challenge question and sign-in alerts, turns on 2-step sign-in from the QR page and then
signs in with a code from the app; refusals read clearly; phone width, no console errors."""
from datetime import datetime, timezone

import pyotp

from tests.browser.test_pay_page import sign_in
from tests.e2e.auth_helpers import PASSWORD, new_user


def flashes(p):
    return p.locator(".flashes").inner_text()


def test_a_customer_sets_code_challenge_alerts_and_signs_in_with_two_step(page, system):
    user = new_user(system)
    p = page.page
    sign_in(p, user["username"])
    p.goto("/security")
    code = p.locator("#code-form")
    code.get_by_label("Current password").fill(PASSWORD)
    code.get_by_label("Security code (4 digits)").fill("12")
    code.get_by_role("button", name="Set security code").click()
    p.wait_for_load_state()
    assert "Security code: Enter exactly 4 digits." in flashes(p)
    code = p.locator("#code-form")
    code.get_by_label("Current password").fill(PASSWORD)
    code.get_by_label("Security code (4 digits)").fill("4821")
    code.get_by_role("button", name="Set security code").click()
    p.wait_for_load_state()
    assert "Your security code is set." in flashes(p)
    assert "You have a security code." in p.locator("#code-status").inner_text()

    challenge = p.locator("#challenge-form")
    challenge.get_by_label("Current password").fill("wrong password here")
    challenge.get_by_label("Challenge question").select_option(index=2)
    challenge.get_by_label("Answer").fill("Corolla")
    challenge.get_by_role("button", name="Save challenge question").click()
    p.wait_for_load_state()
    assert "Current password: Your current password is not right." in flashes(p)
    challenge = p.locator("#challenge-form")
    challenge.get_by_label("Current password").fill(PASSWORD)
    challenge.get_by_label("Challenge question").select_option(index=2)
    challenge.get_by_label("Answer").fill("Corolla")
    challenge.get_by_role("button", name="Save challenge question").click()
    p.wait_for_load_state()
    assert "Your challenge question is set." in flashes(p)

    p.get_by_label("Sign-in alerts: email me when my online ID signs in from a new browser "
                   "or address").check()
    p.get_by_label("Require my security code for payments").check()
    p.get_by_role("button", name="Save preferences").click()
    p.wait_for_load_state()
    assert "Your security preferences are saved." in flashes(p)
    assert p.get_by_label("Require my security code for payments").is_checked()

    p.get_by_role("button", name="Set up 2-step sign-in").click()
    p.wait_for_load_state()
    assert p.locator("#totp-qr").get_attribute("src").startswith("data:image/svg+xml")
    assert p.locator("#recovery-codes li").count() == 10
    totp = pyotp.TOTP(p.locator("#totp-secret").inner_text())
    p.get_by_label("Code from your app").fill("000000")
    p.get_by_role("button", name="Turn on 2-step sign-in").click()
    p.wait_for_load_state()
    assert "That code does not match" in flashes(p)
    step = totp.timecode(datetime.now(timezone.utc))
    p.get_by_label("Code from your app").fill(totp.generate_otp(step - 1))
    p.get_by_role("button", name="Turn on 2-step sign-in").click()
    p.wait_for_load_state()
    assert "2-step sign-in is on" in flashes(p)

    p.get_by_role("button", name="Sign out").click()
    p.wait_for_load_state()
    sign_in(p, user["username"])
    assert "Enter the 6-digit code" in flashes(p)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_label("Code from your authenticator app").fill(totp.generate_otp(step))
    p.get_by_role("button", name="Sign in").click()
    p.wait_for_load_state()
    assert p.url.endswith("/dashboard")
    # the refused forms above answered with pages, not errors
    assert [e for e in page.console_errors if "/security" in e or "/dashboard" in e] == []


def test_the_security_page_fits_a_phone(phone_page, system):
    user = new_user(system)
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/security")
    for label in ("Security code (4 digits)", "Challenge question", "Answer", "New password"):
        assert p.get_by_label(label).is_visible()
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone_page.console_errors == []
