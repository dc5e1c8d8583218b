"""The bill's insight in Chromium against the real system: the dashboard's "This month, so
far" card (the estimate as the API gives it, a chart of daily usage charges with a text
alternative, no blocking axe violation, fits a phone), and a statement's "Why your bill
changed" section."""
from tests.browser.checkers import axe_violations, blocking, report
from tests.support.auth_helpers import bearer, new_user
from tests.support.portal_browser import sign_in


def _calls(day, n):
    return [{"started_at": f"2026-10-{day:02d}T{9 + i:02d}:00:00Z", "from_number": "+13125550188",
             "to_number": "+442071234567", "duration_seconds": 60 * (i + 1),
             "call_type": "international"} for i in range(n)]


def _bill(system, number, day):
    run = system.staff().post(system.url("/internal/v1/bill-runs"), json={
        "statement_date": day, "account_numbers": [number]}, timeout=60)
    assert run.status_code == 200, run.text


def customer_this_month(system):
    """An account billed Oct 15 with international calls on Oct 18 and Oct 21."""
    user = new_user(system)
    number = user["account_number"]
    _bill(system, number, "2026-10-15")
    for day, n in ((18, 3), (21, 2)):
        loaded = system.staff().post(system.url(f"/internal/v1/accounts/{number}/usage"),
                                     json={"calls": _calls(day, n)}, timeout=30)
        assert loaded.status_code == 202, loaded.text
    return user


def test_the_dashboard_card_shows_the_month_so_far_with_a_chart_and_its_table(page, system):
    user = customer_this_month(system)
    estimate = bearer(system, user["username"]).get(system.url(
        f"/api/v1/accounts/{user['account_number']}/current-usage"), timeout=10).json()
    p = page.page
    sign_in(p, user["username"])
    p.goto("/dashboard")
    card = p.locator("#current-usage")
    assert card.get_by_role("heading", name="This month, so far").is_visible()
    total = f"${estimate['estimated_total_cents'] // 100:,}.{estimate['estimated_total_cents'] % 100:02d}"
    assert p.locator("#usage-total").inner_text() == total
    chart = p.get_by_role("img", name="Usage charges per day")
    assert chart.is_visible()
    assert p.locator("#usage-chart rect").count() == 31  # Oct 15 to Nov 14, a bar a day
    assert p.locator("#usage-chart rect[height='0']").count() == 29
    card.get_by_text("Usage charges per day, as a table").click()
    days = p.locator("#usage-daily tbody tr")
    assert days.count() == 2 and days.first.inner_text().startswith("Oct 18, 2026")
    international = p.locator("#usage-by-type tbody tr", has_text="International")
    assert "5" in international.inner_text()
    problems = blocking(axe_violations(p))
    assert problems == [], report({"/dashboard": problems})
    assert page.console_errors == []


def test_the_card_fits_a_phone_screen(phone_page, system):
    user = customer_this_month(system)
    p = phone_page.page
    sign_in(p, user["username"])
    p.goto("/dashboard")
    assert p.locator("#current-usage").is_visible()
    overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, overflow
    assert phone_page.console_errors == []


HOSTILE_REASON = 'Outage <img src="/x.png" id="injected"> <b>bold</b>'


def test_a_statement_page_says_why_the_bill_changed_markup_shown_as_text(page, system):
    user = customer_this_month(system)
    number = user["account_number"]
    credited = system.staff().post(
        system.url(f"/internal/v1/accounts/{number}/credits"),
        json={"amount_cents": 700, "reason": HOSTILE_REASON},
        headers={"Idempotency-Key": f"browser-{number}"}, timeout=10)
    assert credited.status_code == 201, credited.text
    _bill(system, number, "2026-11-15")
    p = page.page
    sign_in(p, user["username"])
    p.goto("/billing")
    invoices = [link.inner_text() for link in p.locator("#statements tbody a").all()]
    p.goto(f"/billing/{invoices[0]}")
    section = p.locator("#bill-changes")
    assert section.get_by_role("heading", name="Why your bill changed").is_visible()
    reasons = p.locator("#bill-change-reasons li")
    texts = [reasons.nth(i).inner_text() for i in range(reasons.count())]
    assert "5 more international calls" in " ".join(texts)
    assert any(HOSTILE_REASON in t for t in texts)
    assert p.locator("#injected").count() == 0 and section.locator("b").count() == 0
    problems = blocking(axe_violations(p))
    assert problems == [], report({"/billing/<invoice>": problems})

    p.goto(f"/billing/{invoices[1]}")
    assert "first statement" in p.locator("#bill-changes").inner_text()
    assert page.console_errors == []
