"""The toll-fraud banner and the international-calling block in Chromium against the real
system (issue 16 part 4): after staff load a night burst of calls to a revenue-share prefix,
the account's admin sees on the dashboard, at phone width, what the guard saw; follows the
banner to /account and blocks international calling there (and can allow it again); marks the
alert expected and the banner goes. The pages have no blocking axe violation, no Nu Html
Checker error and no console error."""
from datetime import datetime, timedelta, timezone

from tests.support.auth_helpers import new_user
from tests.support.portal_browser import sign_in
from tests.browser.checkers import axe_violations, blocking, vnu_errors

NIGHT = datetime(2026, 11, 4, 9, 0, tzinfo=timezone.utc)  # 03:00 in Chicago, the account's


def test_an_admin_sees_the_banner_blocks_international_calling_and_marks_it_expected(
        phone_page, system):
    user = new_user(system)
    number = user["account_number"]
    burst = [{"started_at": (NIGHT + timedelta(minutes=2 * i)).isoformat(),
              "from_number": "+13125550188", "to_number": f"+88213{i:07d}",
              "duration_seconds": 240, "call_type": "international"} for i in range(30)]
    loaded = system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                                 json={"calls": burst}, timeout=60)
    assert loaded.status_code == 202, loaded.text
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/dashboard")
    banner = p.locator("#fraud-banner-1")
    assert banner.is_visible()
    said = banner.inner_text()
    assert "Possible toll fraud" in said and "at night in your time zone: 30 calls" in said
    assert blocking(axe_violations(p)) == []
    sent = p.context.request.get(system.url("/dashboard")).text()  # as the server sent it
    assert "fraud-banner-1" in sent and vnu_errors({"dashboard": sent}) == {}
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    banner.get_by_role("link", name="block international calling").click()
    p.wait_for_load_state()
    section = p.locator("#international-calling")
    assert "Allowed:" in section.inner_text()
    section.get_by_role("button", name="Block international calling").click()
    p.wait_for_load_state()
    assert "Blocked:" in p.locator("#international-status").inner_text()
    assert "International calling is blocked" in p.locator("body").inner_text()
    assert blocking(axe_violations(p)) == []
    sent = p.context.request.get(system.url("/account")).text()
    assert vnu_errors({"account": sent}) == {}
    p.locator("#international-calling").get_by_role(
        "button", name="Allow international calling").click()
    p.wait_for_load_state()
    assert "Allowed:" in p.locator("#international-status").inner_text()

    p.goto("/dashboard")
    p.locator("#fraud-banner-1").get_by_role("button",
                                             name="These calls were expected").click()
    p.wait_for_load_state()
    assert p.locator("#fraud-banner-1").count() == 0
    assert "Marked as expected" in p.locator("body").inner_text()
    assert phone_page.console_errors == []
