"""The /usage-alerts page in Chromium against the real system: an admin types thresholds in
dollars and turns bill shock off, the page shows them back in order; a bad amount is a
flashed message that changes nothing; the message centre's preferences have Usage alerts and
link to the page; a viewer is refused it; no axe-core critical or serious violation, no Nu
Html Checker error, phone width, no console errors."""
from tests.browser import checkers
from tests.support.auth_helpers import bearer, invite_and_accept, new_user
from tests.support.portal_browser import flashes, sign_in


def test_an_admin_sets_usage_alerts_in_dollars_and_a_bad_amount_changes_nothing(
        phone_page, system):
    user = new_user(system)
    number = user["account_number"]
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/messages")
    assert p.locator("#usage_alerts_email").is_checked()
    assert not p.locator("#usage_alerts_sms").is_checked()
    p.locator("#preferences").get_by_role("link", name="Usage alerts").click()
    p.wait_for_load_state()
    assert p.url.endswith("/usage-alerts")
    assert p.get_by_label("Alert me at").input_value() == ""
    assert p.get_by_label("Warn me of bill shock").is_checked()

    p.get_by_label("Alert me at").fill("250, $20.5, 250")
    p.get_by_label("Warn me of bill shock").uncheck()
    p.get_by_role("button", name="Save usage alerts").click()
    p.wait_for_load_state()
    assert "usage alerts are saved" in flashes(p)
    assert p.get_by_label("Alert me at").input_value() == "20.50, 250.00"
    assert not p.get_by_label("Warn me of bill shock").is_checked()
    admin = bearer(system, user["username"])
    assert admin.get(system.url(f"/api/v1/accounts/{number}/usage-alerts"), timeout=10).json() \
        == {"thresholds_cents": [2050, 25000], "bill_shock": False}

    for bad in ("lots", "0", "200000"):
        p.get_by_label("Alert me at").fill(bad)
        p.get_by_role("button", name="Save usage alerts").click()
        p.wait_for_load_state()
        assert "Alert me at:" in flashes(p), bad
        assert p.get_by_label("Alert me at").input_value() == "20.50, 250.00"

    violations = checkers.blocking(checkers.axe_violations(p))
    assert violations == [], checkers.report({"/usage-alerts": violations})
    html = p.context.request.get("/usage-alerts", headers={"Accept": "text/html"}).text()
    assert checkers.vnu_errors({"/usage-alerts": html}) == {}
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone_page.console_errors == []

    _, viewer_name, _ = invite_and_accept(system, admin, number, "viewer")
    viewer = p.context.browser.new_context(base_url=system.base_url)
    v = viewer.new_page()
    sign_in(v, viewer_name)
    response = v.goto("/usage-alerts")
    assert response.status == 403
    viewer.close()
