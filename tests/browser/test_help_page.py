"""The /help page in Chromium against the real system: 24/7 support contacts and each help
topic, readable without signing in, at phone width, with no console errors."""


def test_help_shows_support_and_opens_each_topic_on_a_phone(phone_page, system):
    p = phone_page.page
    p.goto("/help")
    support = p.locator("#support").inner_text()
    assert "24/7" in support and "1-800-555-0199" in support
    for title in ("Paying your bill", "Automatic payments (autopay)", "Paperless billing",
                  "Users and roles", "Keeping your account secure", "Reading your statement",
                  "Exporting call history"):
        p.get_by_text(title, exact=True).click()
    assert p.get_by_text("Export call history to CSV", exact=False).first.is_visible()
    assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert phone_page.console_errors == []
