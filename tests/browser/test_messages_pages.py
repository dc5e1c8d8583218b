"""The /messages page in Chromium against the real system: after a paperless bill the
message centre lists the bill-ready notice, unread, and marks it read; notification
preferences are saved; phone width; no console errors."""
from tests.support.portal_browser import sign_in
from tests.support.auth_helpers import bearer, new_user
from tests.support.api_client import bill
from tests.support.system import eventually


def test_the_message_centre_lists_the_bill_marks_it_read_and_saves_preferences(
        phone_page, system):
    user = new_user(system)
    number = user["account_number"]
    admin = bearer(system, user["username"])
    admin.put(system.url(f"/api/v1/accounts/{number}/invoice-delivery"),
              json={"method": "paperless"}, timeout=10)
    bill(system, number, "2026-11-17")
    eventually(lambda: admin.get(system.url("/api/v1/me/notifications"),
                                 timeout=10).json()["items"], timeout=30)
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/messages")
    message = p.locator("#messages li").filter(has_text="Your bill is ready").first
    assert "Unread" in message.inner_text()
    message.locator("summary").click()
    assert "/billing/" in message.locator(".message-body").inner_text()
    message.get_by_role("button", name="Mark read").click()
    p.wait_for_load_state()
    message = p.locator("#messages li").filter(has_text="Your bill is ready").first
    assert "Read" in message.inner_text() and message.get_by_role("button").count() == 0

    p.locator("#bill_ready_sms").check()
    p.locator("#reminders_email").uncheck()
    p.get_by_role("button", name="Save preferences").click()
    p.wait_for_load_state()
    assert "preferences are saved" in p.locator(".flashes").inner_text()
    assert p.locator("#bill_ready_sms").is_checked()
    assert not p.locator("#reminders_email").is_checked()
    assert "cannot be turned off" in p.locator("#preferences").inner_text()
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone_page.console_errors == []
