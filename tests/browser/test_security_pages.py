"""The /security page in Chromium against the real system: a customer sets a security code,
a challenge question and sign-in alerts, turns on 2-step sign-in from the QR page and then
signs in with a code from the app; refusals read clearly; each section opens under its own
header's plus, without JavaScript too, and is open again after its form's round trip; where
they are signed in, signing out another session and everywhere else; phone width, no console
errors."""
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pyotp
import requests

from tests.browser import checkers
from tests.support.auth_helpers import PASSWORD, link_in, mail_with, new_user
from tests.support.portal_browser import flashes, sign_in


def expand(p, header):
    """Opens the section under ``header`` with its plus, as a customer would (already open
    after its own form's round trip); returns the section."""
    section = p.locator("details.expander", has=p.get_by_role("heading", name=header, exact=True))
    if section.get_attribute("open") is None:
        section.locator("summary").click()
    assert section.get_attribute("open") is not None
    return section


def test_a_customer_sets_code_challenge_alerts_and_signs_in_with_two_step(page, system):
    user = new_user(system)
    p = page.page
    sign_in(p, user["username"])
    p.goto("/security")
    expand(p, "Security code")
    code = p.locator("#code-form")
    code.get_by_label("Current password").fill(PASSWORD)
    code.get_by_label("Security code (4 digits)").fill("12")
    code.get_by_role("button", name="Set security code").click()
    p.wait_for_load_state()
    assert "Security code: Enter exactly 4 digits." in flashes(p)
    code = expand(p, "Security code").locator("#code-form")
    code.get_by_label("Current password").fill(PASSWORD)
    code.get_by_label("Security code (4 digits)").fill("4821")
    code.get_by_role("button", name="Set security code").click()
    p.wait_for_load_state()
    assert "Your security code is set." in flashes(p)
    assert "You have a security code." in p.locator("#code-status").inner_text()

    challenge = expand(p, "Challenge question").locator("#challenge-form")
    challenge.get_by_label("Current password").fill("wrong password here")
    challenge.get_by_label("Challenge question").select_option(index=2)
    challenge.get_by_label("Answer").fill("Corolla")
    challenge.get_by_role("button", name="Save challenge question").click()
    p.wait_for_load_state()
    assert "Current password: Your current password is not right." in flashes(p)
    challenge = expand(p, "Challenge question").locator("#challenge-form")
    challenge.get_by_label("Current password").fill(PASSWORD)
    challenge.get_by_label("Challenge question").select_option(index=2)
    challenge.get_by_label("Answer").fill("Corolla")
    challenge.get_by_role("button", name="Save challenge question").click()
    p.wait_for_load_state()
    assert "Your challenge question is set." in flashes(p)

    expand(p, "Security preferences")
    p.get_by_label("Sign-in alerts: email me when my online ID signs in from a new browser "
                   "or address").check()
    p.get_by_label("Require my security code for payments").check()
    p.get_by_role("button", name="Save preferences").click()
    p.wait_for_load_state()
    assert "Your security preferences are saved." in flashes(p)
    assert p.get_by_label("Require my security code for payments").is_checked()

    expand(p, "2-step sign-in")
    p.locator("#totp-start-form").get_by_label("Current password").fill(PASSWORD)
    p.get_by_role("button", name="Set up 2-step sign-in").click()
    p.wait_for_load_state()
    assert p.locator("#totp-qr").get_attribute("src").startswith("data:image/svg+xml")
    assert p.locator("#recovery-codes li").count() == 10
    totp = pyotp.TOTP(p.locator("#totp-secret").inner_text())
    p.get_by_label("Code from your app").fill("000000")
    p.locator("#totp-confirm-form").get_by_label("Current password").fill(PASSWORD)
    p.get_by_role("button", name="Turn on 2-step sign-in").click()
    p.wait_for_load_state()
    assert "That code does not match" in flashes(p)
    # the current step's code to confirm, the next step's to sign in: each inside the
    # one-step window even if a step ends on the way (the code one step back was refused
    # when the step ended between reading the clock and submitting the form)
    step = totp.timecode(datetime.now(timezone.utc))
    p.get_by_label("Code from your app").fill(totp.generate_otp(step))
    p.locator("#totp-confirm-form").get_by_label("Current password").fill(PASSWORD)
    p.get_by_role("button", name="Turn on 2-step sign-in").click()
    p.wait_for_load_state()
    assert "2-step sign-in is on" in flashes(p)

    p.get_by_role("button", name="Sign out").click()
    p.wait_for_load_state()
    sign_in(p, user["username"])
    assert "Enter the 6-digit code" in flashes(p)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_label("Code from your authenticator app").fill(totp.generate_otp(step + 1))
    p.get_by_role("button", name="Sign in", exact=True).click()
    p.wait_for_load_state()
    assert p.url.endswith("/dashboard")
    # the refused forms above answered with pages, not errors
    assert [e for e in page.console_errors if "/security" in e or "/dashboard" in e] == []


def test_changing_the_email_or_dropping_the_payment_code_asks_for_the_password(page, system):
    user = new_user(system)
    new = f"moved-{user['username'][5:]}@harbor.example"
    p = page.page
    sign_in(p, user["username"])
    p.goto("/security")
    form = expand(p, "Your name and email").locator("#profile-form")
    form.get_by_label("Email").fill(new)
    form.get_by_label("First name").fill("Rosalind")
    form.get_by_role("button", name="Save name and email").click()
    p.wait_for_load_state()
    assert "Current password: Enter your current password to change your email." in flashes(p)
    assert user["email"] in p.locator("#email-status").inner_text()
    form = p.locator("#profile-form")
    form.get_by_label("Email").fill(new)
    form.get_by_label("Current password").fill(PASSWORD)
    form.get_by_role("button", name="Save name and email").click()
    p.wait_for_load_state()
    assert f"We emailed {new} a link to confirm it" in flashes(p)
    assert new in p.locator("#email-pending").inner_text()
    assert user["email"] in p.locator("#email-status strong").first.inner_text()

    code = expand(p, "Security code").locator("#code-form")
    code.get_by_label("Current password").fill(PASSWORD)
    code.get_by_label("Security code (4 digits)").fill("4821")
    code.get_by_role("button", name="Set security code").click()
    p.wait_for_load_state()
    expand(p, "Security preferences")
    p.get_by_label("Require my security code for payments").check()
    p.get_by_role("button", name="Save preferences").click()
    p.wait_for_load_state()
    p.get_by_label("Require my security code for payments").uncheck()
    p.get_by_role("button", name="Save preferences").click()
    p.wait_for_load_state()
    assert "Current password: Enter your current password to make this change." in flashes(p)
    assert p.get_by_label("Require my security code for payments").is_checked()
    p.get_by_label("Require my security code for payments").uncheck()
    p.locator("#preferences-form").get_by_label("Current password").fill(PASSWORD)
    p.get_by_role("button", name="Save preferences").click()
    p.wait_for_load_state()
    assert "Your security preferences are saved." in flashes(p)
    assert not p.get_by_label("Require my security code for payments").is_checked()

    # the link mailed to the new address, opened in this browser: the email changes
    p.goto(link_in(mail_with(system, new, "Confirm your new")[0], "/confirm-email"))
    p.get_by_role("button", name="Confirm my new email").click()
    p.wait_for_load_state()
    assert f"Your email is changed to {new}" in p.locator("#confirm-done").inner_text()
    p.goto("/security")
    expand(p, "Your name and email")
    assert new in p.locator("#email-status").inner_text()
    assert page.console_errors == []


def test_the_security_page_fits_a_phone(phone_page, system):
    user = new_user(system)
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/security")
    for header in ("Security code", "Challenge question", "Password", "Where you're signed in"):
        expand(p, header)
    for label in ("Security code (4 digits)", "Challenge question", "Answer", "New password"):
        assert p.get_by_label(label).is_visible()
    assert p.locator("#sessions-table tr.current").is_visible()
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone_page.console_errors == []


def test_sections_open_and_stay_open_after_a_refusal_without_javascript(browser, system):
    user = new_user(system)
    context = browser.new_context(base_url=system.base_url, java_script_enabled=False)
    p = context.new_page()
    sign_in(p, user["username"])
    p.goto("/security")
    assert p.locator("details.expander[open]").count() == 0
    assert not p.get_by_label("Security code (4 digits)").is_visible()
    code = expand(p, "Security code")
    assert p.get_by_label("Security code (4 digits)").is_visible()
    code.get_by_label("Current password").fill(PASSWORD)
    code.get_by_label("Security code (4 digits)").fill("12")
    code.get_by_role("button", name="Set security code").click()
    p.wait_for_load_state()
    assert "Security code: Enter exactly 4 digits." in flashes(p)
    assert [d.get_attribute("id") for d in p.locator("details.expander[open]").all()] == ["code"]
    assert p.get_by_label("Security code (4 digits)").is_visible()
    context.close()


def session_rows(p):
    return p.locator("#sessions-table tbody tr")


def test_a_customer_signs_out_another_session_then_everywhere_else(page, browser, system):
    user = new_user(system)
    app = requests.post(system.url("/api/v1/auth/login"), timeout=10,
                        headers={"User-Agent": "BizPortal-iOS/2.4"},
                        json={"username": user["username"], "password": PASSWORD}).json()
    elsewhere = browser.new_context(base_url=system.base_url)  # another browser
    other = elsewhere.new_page()
    sign_in(other, user["username"])
    p = page.page
    sign_in(p, user["username"])
    p.goto("/security")
    section = expand(p, "Where you're signed in")
    assert session_rows(p).count() == 3
    current = p.locator("#sessions-table tr.current")
    assert "This browser" in current.inner_text()
    assert current.get_by_role("button", name="Sign out").count() == 0
    assert "HeadlessChrome" in current.inner_text()  # the User-Agent this browser sent
    found = checkers.blocking(checkers.axe_violations(p))  # the open table, its buttons
    assert found == [], checkers.report({"/security#sessions": found})

    app_row = session_rows(p).filter(has_text="BizPortal-iOS/2.4")
    app_row.get_by_role("button", name="Sign out").click()
    p.wait_for_load_state()
    assert "That session is signed out." in flashes(p)
    assert p.locator("details#sessions[open]").count() == 1  # back beside its message
    assert session_rows(p).count() == 2
    assert requests.get(system.url("/api/v1/me"), timeout=10, headers={
        "Authorization": f"Bearer {app['access_token']}"}).status_code == 401

    # a forged form (no CSRF token) from this browser's cookies ends nothing
    forged = p.context.request.post("/security/sessions/end-others", form={},
                                    headers={"Accept": "text/html"})
    assert forged.status == 400
    other.goto("/security")
    assert urlsplit(other.url).path == "/security"  # still signed in over there

    section = expand(p, "Where you're signed in")
    section.get_by_role("button", name="Sign out everywhere else").click()
    p.wait_for_load_state()
    assert "Signed out of 1 other session. We emailed you a security alert." in flashes(p)
    assert session_rows(p).count() == 1
    assert "You are not signed in anywhere else." in p.locator("#sessions").inner_text()
    other.goto("/security")
    assert urlsplit(other.url).path == "/"  # that browser is sent to sign in again
    elsewhere.close()
    p.goto("/dashboard")
    assert urlsplit(p.url).path == "/dashboard"  # this one goes on
    assert page.console_errors == []
