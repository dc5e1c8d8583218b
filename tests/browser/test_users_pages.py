"""The /users page and the invitation acceptance page in Chromium against the real system:
an admin invites a viewer, who accepts from the mailed link and sees the users read-only;
the admin promotes, then removes them, sees refusals for the last admin and the audit
trail; phone width, no console errors."""
import uuid

from tests.support.auth_helpers import PASSWORD, new_user
from tests.support.portal_browser import flashes, invitation_link, sign_in
from tests.support.system import eventually


def test_an_admin_invites_promotes_and_removes_a_user(page, browser, system):
    owner = new_user(system)
    p = page.page
    sign_in(p, owner["username"])
    p.goto("/users")
    row = p.locator(f"#users [data-username='{owner['username']}']")
    p.get_by_label(f"Role for {owner['username']}").select_option("viewer")
    row.get_by_role("button", name="Change role").click()
    p.wait_for_load_state()
    assert "last admin" in flashes(p)

    email = f"guest-{uuid.uuid4().hex[:8]}@harbor.example"
    p.get_by_label("Email").fill(email)
    p.get_by_label("Role", exact=True).select_option("viewer")
    p.get_by_label("Current password").fill(PASSWORD)
    p.get_by_role("button", name="Send invitation").click()
    p.wait_for_load_state()
    assert f"Invitation emailed to {email} as viewer" in flashes(p)

    guest_context = browser.new_context(base_url=system.base_url)
    g = guest_context.new_page()
    g.goto(invitation_link(system, email))
    assert "as viewer" in g.locator("#invitation").inner_text()
    username = f"guest.{uuid.uuid4().hex[:8]}"
    g.get_by_label("Username").fill(username)
    g.get_by_label("Password").fill("short")
    g.get_by_label("First name").fill("Lee")
    g.get_by_label("Last name").fill("Park")
    g.get_by_role("button", name="Create my online ID").click()
    g.wait_for_load_state()
    assert "Use at least 12 characters." in g.locator(".field-error").first.inner_text()
    g.get_by_label("Password").fill(PASSWORD)
    g.get_by_role("button", name="Create my online ID").click()
    g.wait_for_load_state()
    assert f"Your online ID {username} is ready" in g.locator(".flashes").inner_text()
    sign_in(g, username)
    g.goto("/users")
    assert "lets you see its users but not change them" in g.locator("#not-admin").inner_text()
    assert g.get_by_role("button", name="Send invitation").count() == 0

    p.goto("/users")
    p.get_by_label(f"Role for {username}").select_option("billing")
    p.locator(f"#users [data-username='{username}']").get_by_role(
        "button", name="Change role").click()
    p.wait_for_load_state()
    assert f"{username} is now billing" in flashes(p)
    p.get_by_role("button", name=f"Remove user {username}").click()
    p.wait_for_load_state()
    assert "removed and signed out" in flashes(p)
    audit = p.locator("#audit").inner_text()
    for action in ("User invited", "User joined", "Role changed", "User removed"):
        assert action in audit

    def locked_out():
        """the removed user's browser no longer reaches the account"""
        g.goto("/users")
        return "Sign in to your business account" in g.content() or \
            "not linked to an account" in g.content()
    eventually(locked_out)
    assert "Users of this account" not in g.content()
    guest_context.close()


def test_the_users_and_invitation_pages_fit_a_phone(phone_page, system):
    owner = new_user(system)
    p = phone_page.page
    sign_in(p, owner["username"])
    p.goto("/users")
    assert p.get_by_label("Email").is_visible()
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    p.goto("/invitations/accept?token=" + "x" * 43)
    assert "not valid any more" in flashes(p)
    assert phone_page.console_errors == []


def test_an_admin_sees_pending_invitations_and_revokes_one(page, browser, system):
    """Issue 11 point 6: who was invited, as what, by whom, until when; revoked with a
    button (a CSRF form), after which the mailed link no longer works."""
    owner = new_user(system)
    p = page.page
    sign_in(p, owner["username"])
    p.goto("/users")
    assert "No invitations are waiting" in p.locator("#no-invitations").inner_text()
    emails = [f"guest-{uuid.uuid4().hex[:8]}@harbor.example" for _ in range(2)]
    for email, role in zip(emails, ("billing", "viewer")):
        p.get_by_label("Email").fill(email)
        p.get_by_label("Role", exact=True).select_option(role)
        p.get_by_label("Current password").fill(PASSWORD)
        p.get_by_role("button", name="Send invitation").click()
        p.wait_for_load_state()
    revoked = p.locator(f"#invitations [data-email='{emails[0]}']")
    assert "as billing" in revoked.inner_text()
    assert f"Sent by {owner['username']}" in revoked.inner_text()
    assert "expires" in revoked.inner_text()
    assert p.locator(f"#invitations [data-email='{emails[1]}']").count() == 1
    link = invitation_link(system, emails[0])

    p.get_by_role("button", name=f"Revoke invitation to {emails[0]}").click()
    p.wait_for_load_state()
    assert "invitation was revoked" in flashes(p)
    assert p.locator(f"#invitations [data-email='{emails[0]}']").count() == 0
    assert p.locator(f"#invitations [data-email='{emails[1]}']").count() == 1
    assert "Invitation revoked" in p.locator("#audit").inner_text()

    guest_context = browser.new_context(base_url=system.base_url)
    g = guest_context.new_page()
    g.goto(link)
    assert "not valid any more" in g.locator(".flashes").inner_text()
    assert g.locator("#invitation").count() == 0
    guest_context.close()
    assert page.console_errors == []
