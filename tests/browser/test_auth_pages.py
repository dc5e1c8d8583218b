"""Sign-up, sign-in, a wrong password, a forgotten ID and password through the mailed link,
and sign-out, in Chromium against the real system. After sign-in the portal goes to
/dashboard (another page's work), so these tests assert on what the auth pages own: the
session cookie, the signed-in navigation, the messages."""
import uuid

from tests.support.auth_helpers import (PASSWORD, mails_to, new_user, open_account, reset_token,
                                        text_of)
from tests.support.portal_browser import sign_in
from tests.support.system import eventually

NEW_PASSWORD = "marble orchard window 31"


def signed_in(page):
    return any(c["name"] == "bizportal_session" for c in page.context.cookies()) and \
        page.get_by_role("button", name="Sign out").count() == 1


def test_a_customer_signs_up_with_the_invoice_and_signs_in(page, system):
    opened = open_account(system)
    username = f"web.{uuid.uuid4().hex[:8]}"
    p = page.page
    p.goto("/signup")
    p.get_by_label("Account number").fill(opened["account_number"])
    p.get_by_label("Security key").fill(opened["security_key"].lower())
    p.get_by_label("Username").fill(username)
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_label("Email").fill(f"{username}@harbor.example")
    p.get_by_label("First name").fill("Ines")
    p.get_by_label("Last name").fill("Moreau")
    p.get_by_role("button", name="Sign up").click()
    p.wait_for_load_state()
    assert f"Your online ID {username} is ready" in p.locator(".flash-success").inner_text()
    assert page.console_errors == []

    sign_in(p, username, PASSWORD)
    cookie = next(c for c in p.context.cookies() if c["name"] == "bizportal_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    p.goto("/")  # signed in: the sign-in page sends you on, the navigation shows who you are
    assert p.get_by_role("button", name="Sign out").is_visible()
    assert username in p.locator("header").inner_text()


def test_a_wrong_key_and_a_weak_password_are_explained_on_the_form(page, system):
    opened = open_account(system)
    p = page.page
    p.goto("/signup")
    p.get_by_label("Account number").fill(opened["account_number"])
    p.get_by_label("Security key").fill("ZZZZ9999")
    p.get_by_label("Username").fill(f"web.{uuid.uuid4().hex[:8]}")
    p.get_by_label("Password").fill("password")
    p.get_by_label("Email").fill("x@harbor.example")
    p.get_by_label("First name").fill("A")
    p.get_by_label("Last name").fill("B")
    p.get_by_role("button", name="Sign up").click()
    p.wait_for_load_state()
    assert "at least 12 characters" in p.locator(".field-error").first.inner_text()
    p.get_by_label("Password").fill(PASSWORD)
    p.get_by_role("button", name="Sign up").click()
    p.wait_for_load_state()
    assert "account number and security key" in p.locator(".flash-error").inner_text()
    assert page.console_errors == []


def test_a_wrong_password_shows_one_clear_message_and_no_session(page, system):
    user = new_user(system)
    p = page.page
    sign_in(p, user["username"], "not my password at all")
    assert "do not match" in p.locator(".flash-error").inner_text()
    assert not signed_in(p)
    assert p.get_by_label("Username").input_value() == user["username"]
    assert page.console_errors == []


def test_a_forgotten_password_is_reset_through_the_mailed_link(page, system):
    user = new_user(system)
    p = page.page
    p.goto("/")
    p.get_by_role("link", name="Forgot your password?").click()
    p.get_by_label("Username").fill(user["username"])
    p.get_by_role("button", name="Email me a reset link").click()
    p.wait_for_load_state()
    assert "emailed a reset link" in p.locator(".flash-success").inner_text()
    (mail,) = eventually(lambda: [m for m in mails_to(system, user["email"])
                                  if m["Subject"] == "Reset your BizPortal password"])
    p.goto(f"/reset-password?token={reset_token(mail)}")
    p.get_by_label("New password").fill(NEW_PASSWORD)
    p.get_by_role("button", name="Set new password").click()
    p.wait_for_load_state()
    assert "Your password is changed" in p.locator(".flash-success").inner_text()
    sign_in(p, user["username"], NEW_PASSWORD)
    assert signed_in(p) or p.goto("/") and signed_in(p)


def test_a_forgotten_username_is_mailed(page, system):
    user = new_user(system)
    p = page.page
    p.goto("/forgot-id")
    p.get_by_label("Email").fill(user["email"])
    p.get_by_role("button", name="Email my username").click()
    p.wait_for_load_state()
    assert "we have emailed them" in p.locator(".flash-success").inner_text()
    reminder = eventually(lambda: [m for m in mails_to(system, user["email"])
                                   if m["Subject"] == "Your BizPortal username"])
    assert user["username"] in text_of(reminder[0])
    assert page.console_errors == []


def test_sign_out_ends_the_session(page, system):
    user = new_user(system)
    p = page.page
    sign_in(p, user["username"], PASSWORD)
    p.goto("/")
    p.get_by_role("button", name="Sign out").click()
    p.wait_for_load_state()
    assert "You are signed out" in p.locator(".flash-success").inner_text()
    assert p.get_by_role("button", name="Sign in", exact=True).is_visible()
    assert p.get_by_role("button", name="Sign out").count() == 0


def test_the_sign_up_page_fits_a_phone_screen(phone_page):
    phone_page.page.goto("/signup")
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone_page.page.get_by_role("button", name="Sign up").is_visible()
    assert phone_page.console_errors == []
