"""Credits and disputes in the portal, in Chromium against the real system: an admin disputes
a charge from the statement page (its reason, markup included, shown as text), the dashboard
lists the open dispute; staff credit it and the statement page and dashboard show the credit;
a viewer sees the disputes but no form, and a forged post of it is refused. At phone width
too."""
import uuid

from tests.support.auth_helpers import bearer, invite_and_accept
from tests.support.portal_browser import billed_customer, flashes, sign_in
from tests.support.system import eventually

HOSTILE = '<img src=x onerror="document.title=\'owned\'"> wrong'


def open_statement(p):
    p.goto("/dashboard")
    invoice = p.locator("#invoice-number").inner_text()
    p.goto(f"/billing/{invoice}")
    return invoice


def test_an_admin_disputes_a_charge_and_sees_it_credited(page, system):
    user = billed_customer(system)
    p = page.page
    sign_in(p, user["username"])
    invoice = open_statement(p)
    option = p.locator("#line_id option").nth(1)  # the first is "Choose a charge"
    described = option.inner_text().rsplit(" (", 1)[0]
    p.get_by_label("Charge to dispute").select_option(option.get_attribute("value"))
    p.get_by_label("Amount to dispute").fill("5.00")
    p.get_by_label("Reason").fill(HOSTILE)
    p.get_by_role("button", name="Dispute this charge").click()
    p.wait_for_load_state()
    assert "is open" in flashes(p)
    row = p.locator("#dispute-list tbody tr").first
    assert row.locator("td").nth(2).inner_text() == HOSTILE  # text, not markup
    assert p.locator("#dispute-list img").count() == 0 and p.title() != "owned"
    assert "Open since" in row.inner_text()

    p.goto("/dashboard")
    assert described in p.locator("#open-disputes").inner_text()

    number = user["account_number"]
    [dispute] = system.staff().get(system.url(f"/internal/v1/accounts/{number}"),
                                   timeout=10).json()["open_disputes"]
    done = system.staff().post(system.url(f"/internal/v1/disputes/{dispute['id']}/resolution"),
                               json={"outcome": "credited", "note": "Sorry about that"},
                               timeout=10)
    assert done.status_code == 200, done.text
    p.goto(f"/billing/{invoice}")
    assert "Credited $5.00" in p.locator("#dispute-list").inner_text()
    assert "Sorry about that" in p.locator("#dispute-list").inner_text()
    p.goto("/dashboard")
    assert p.locator("#open-disputes").count() == 0
    assert "$5.00" in p.locator("#recent-credits").inner_text()

    def told():
        """the message centre lists the answer"""
        p.goto("/messages")
        return "dispute" in p.locator("main").inner_text()
    assert eventually(told, timeout=20)
    assert page.console_errors == []


def test_a_viewer_sees_disputes_but_cannot_open_one(page, system):
    user = billed_customer(system)
    admin = bearer(system, user["username"])
    _, viewer_name, _ = invite_and_accept(system, admin, user["account_number"], "viewer")
    p = page.page
    sign_in(p, viewer_name)
    invoice = open_statement(p)
    assert p.locator("#dispute-form").count() == 0
    assert p.locator("#no-dispute-role").is_visible()
    token = p.locator("input[name=csrf_token]").first.get_attribute("value") \
        if p.locator("input[name=csrf_token]").count() else None
    forged = p.request.post(f"/billing/{invoice}/disputes", form={
        "csrf_token": token or "", "line_id": "1", "amount": "1.00", "reason": "x"})
    assert forged.status in (400, 403)
    assert admin.get(system.url(f"/api/v1/accounts/{user['account_number']}/disputes"),
                     timeout=10).json()["items"] == []


def test_the_dispute_form_works_at_phone_width(phone_page, system):
    user = billed_customer(system)
    p = phone_page.page
    sign_in(p, user["username"])
    open_statement(p)
    p.get_by_label("Charge to dispute").select_option(index=1)
    p.get_by_label("Amount to dispute").fill("1.00")
    p.get_by_label("Reason").fill(f"Phone {uuid.uuid4().hex[:6]}")
    button = p.get_by_role("button", name="Dispute this charge")
    box = button.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375
    button.click()
    p.wait_for_load_state()
    assert "is open" in flashes(p)
    assert phone_page.console_errors == []
