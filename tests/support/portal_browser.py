"""What the browser tests do over and over in the portal: a customer with a statement to pay,
signing in, the page's flashed messages, adding a card, and the invitation link a mail
carries."""
import re

from tests.support.auth_helpers import PASSWORD, mails_to, new_user, text_of
from tests.support.api_client import bill
from tests.support.system import eventually


def billed_customer(system):
    user = new_user(system)
    bill(system, user["account_number"])
    return user


def sign_in(p, username, password=PASSWORD):
    p.goto("/")
    p.get_by_label("Username").fill(username)
    p.get_by_label("Password").fill(password)
    p.get_by_role("button", name="Sign in", exact=True).click()
    p.wait_for_load_state()


def flashes(p):
    """The text of the messages the page flashed."""
    return p.locator(".flashes").inner_text()


def add_card(p, number):
    p.goto("/pay")
    if not p.get_by_label("Card number").is_visible():
        p.get_by_text("Add a card").click()
    p.get_by_label("Card number").fill(number)
    p.get_by_label("Expiration month").fill("12")
    p.get_by_label("Expiration year").fill("2031")
    p.get_by_label("CVC").fill("123")
    p.get_by_label("Name on card").fill("Rosa Diaz")
    p.get_by_label("ZIP code").fill("60611")
    p.get_by_role("button", name="Add card").click()
    p.wait_for_load_state()


def invitation_link(system, email):
    def mailed():
        """the invitation mail arrived"""
        return [m for m in mails_to(system, email) if "invited" in m["Subject"]]
    text = text_of(eventually(mailed)[-1])
    return re.search(r"(/invitations/accept\?token=[A-Za-z0-9_-]+)", text).group(1)
