"""The /account page in Chromium against the real system: an admin fixes a mistyped phone
(the refusal is shown by the field), renames the company and goes paperless to a new address
(the form asks for the current password, and the link mailed to that address is followed);
a viewer sees the same page read-only with a note; phone width; no console errors."""
from tests.support.portal_browser import flashes, sign_in
from tests.support.auth_helpers import (PASSWORD, bearer, invite_and_accept, link_in, mail_with,
                                        new_user)


def test_an_admin_renames_the_company_and_goes_paperless(page, system):
    user = new_user(system)
    p = page.page
    sign_in(p, user["username"])
    p.goto("/account")
    assert p.get_by_label("Company name").input_value() == user["company_name"]
    p.get_by_label("Phone").fill("555")
    p.get_by_role("button", name="Save profile").click()
    p.wait_for_load_state()
    assert "Phone: Not a valid phone number." in flashes(p)
    assert p.get_by_label("Phone").get_attribute("aria-invalid") == "true"
    p.get_by_label("Company name").fill("Harbor Dental Group")
    p.get_by_label("Phone").fill("(312) 555-0100")
    p.get_by_role("button", name="Save profile").click()
    p.wait_for_load_state()
    assert "The company profile is saved." in flashes(p)
    assert p.get_by_label("Company name").input_value() == "Harbor Dental Group"
    assert p.get_by_label("Phone").input_value() == "+13125550100"

    address = f"ap-{user['username'][5:]}@harbor-group.example"
    p.get_by_label("Paperless (email)").check()
    p.get_by_label("Email for paperless bills").fill(address)
    p.get_by_role("button", name="Save invoice delivery").click()
    p.wait_for_load_state()
    assert "Current password: Enter your current password to make this change." in flashes(p)
    p.get_by_label("Paperless (email)").check()
    p.get_by_label("Email for paperless bills").fill(address)
    p.locator("#delivery-form").get_by_label("Current password").fill(PASSWORD)
    p.get_by_role("button", name="Save invoice delivery").click()
    p.wait_for_load_state()
    assert f"We emailed {address} a link to confirm it." in flashes(p)
    assert "Paper" in p.locator("#delivery-status").inner_text()  # nothing changed yet
    assert address in p.locator("#delivery-pending").inner_text()

    p.goto(link_in(mail_with(system, address, "Confirm where")[0], "/confirm-invoice-email"))
    p.get_by_role("button", name="Send our bills to this address").click()
    p.wait_for_load_state()
    assert address in p.locator("#confirm-done").inner_text()
    p.goto("/account")
    assert "Paperless" in p.locator("#delivery-status").inner_text()
    assert address in p.locator("#delivery-status").inner_text()
    assert page.console_errors == []


def test_a_viewer_sees_the_account_read_only_with_a_note_on_a_phone(phone_page, system):
    owner = new_user(system)
    _, viewer, _ = invite_and_accept(system, bearer(system, owner["username"]),
                                     owner["account_number"], "viewer")
    p = phone_page.page
    sign_in(p, viewer)
    p.goto("/account")
    assert "not change them" in p.locator("#not-admin").inner_text()
    assert p.get_by_label("Company name").is_disabled()
    assert p.get_by_role("button", name="Save profile").count() == 0
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone_page.console_errors == []
