"""The /services page in Chromium against the real system: an admin sees the company's
services, previews adding a static IP (the page shows the prorated line and the next bill's
estimate, and nothing has changed), then confirms it; a viewer sees the services read-only
with a note, at phone width; no console errors."""
from tests.support.auth_helpers import bearer, invite_and_accept, new_user
from tests.support.api_client import bill, last_cycle_date
from tests.support.portal_browser import flashes, sign_in


def _rows(p):
    return [r.inner_text().split("\t")[:2] for r in p.locator("#services tbody tr").all()]


def test_an_admin_previews_a_static_ip_then_confirms_it(page, system):
    user = new_user(system)
    bill(system, user["account_number"], last_cycle_date().isoformat())
    p = page.page
    sign_in(p, user["username"])
    p.goto("/services")
    assert _rows(p) == [["Business Voice line", "2"]]
    assert p.locator("#monthly-total").inner_text() == "$59.98"

    p.get_by_role("button", name="Preview change").click()  # the quantities as they are
    p.wait_for_load_state()
    assert "nothing to change" in flashes(p)
    assert p.get_by_role("button", name="Confirm change").count() == 0

    p.get_by_label("Static IP address (1) ($14.99 a month each)").fill("1")
    p.get_by_role("button", name="Preview change").click()
    p.wait_for_load_state()
    line = p.locator("#preview-lines tbody tr").first.inner_text()
    assert line.startswith("Static IP address (1): ") and "days)" in line
    assert "before usage" in p.locator("#estimate").inner_text()
    assert _rows(p) == [["Business Voice line", "2"]]  # a preview changes nothing
    p.get_by_role("button", name="Confirm change").click()
    p.wait_for_load_state()
    assert "Your services are changed." in flashes(p)
    assert _rows(p) == [["Business Voice line", "2"], ["Static IP address (1)", "1"]]
    assert p.locator("#monthly-total").inner_text() == "$74.97"
    assert page.console_errors == []


def test_a_viewer_sees_the_services_read_only_on_a_phone(phone_page, system):
    owner = new_user(system)
    _, viewer, _ = invite_and_accept(system, bearer(system, owner["username"]),
                                     owner["account_number"], "viewer")
    p = phone_page.page
    sign_in(p, viewer)
    p.goto("/services")
    assert _rows(p) == [["Business Voice line", "2"]]
    assert "not change them" in p.locator("#not-admin").inner_text()
    assert p.get_by_role("button", name="Preview change").count() == 0
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone_page.console_errors == []
