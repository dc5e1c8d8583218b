"""Every page a person can open, listed from the gateway's own routes (the web blueprint's GET
rules and /docs), so a page added to the portal joins the accessibility and markup checks by
existing; a route with a path parameter nobody supplied here fails loudly instead of being
skipped."""
import re
import uuid

from tests.support.portal_browser import add_card, billed_customer, invitation_link, sign_in
from tests.e2e import authz_matrix
from tests.support.auth_helpers import PASSWORD

NOT_PAGES = {"web.static", "web.favicon", "web.statement_pdf", "web.statement_calls_csv"}
DOCS = "api-docs.openapi_swagger_ui"
# pages that show their form only when opened from a mailed link
TOKEN_PAGES = {"/reset-password": "any", "/invitations/accept": "invitation",
               "/confirm-email": "any", "/confirm-invoice-email": "any"}
ERROR_PAGE = "/no-such-page"


def page_rules():
    app = authz_matrix.gateway_app()
    return sorted({rule.rule for rule in app.url_map.iter_rules() if "GET" in rule.methods
                   and (rule.endpoint.startswith("web.") or rule.endpoint == DOCS)
                   and rule.endpoint not in NOT_PAGES})


def page_urls(values):
    """The paths to check, given ``values`` for the path parameters and mailed tokens."""
    urls = []
    for rule in page_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule)
        urls.append(path)
        if rule in TOKEN_PAGES:
            urls.append(f"{path}?token={values.get(TOKEN_PAGES[rule], 'x' * 43)}")
    return urls + [ERROR_PAGE]


def open_page(p, path):
    """Goes to ``path`` and waits until it is what a person sees (Swagger UI renders late)."""
    response = p.goto(path)
    if path == "/docs":
        p.locator(".opblock").first.wait_for()
    p.wait_for_load_state("networkidle")
    return response


def customer_with_everything(system, browser):
    """A signed-in admin whose pages all have content: a statement, a card, a payment, a
    pending invitation (whose token opens the acceptance page). Returns (storage_state,
    values for page_urls)."""
    user = billed_customer(system)
    context = browser.new_context(base_url=system.base_url)
    p = context.new_page()
    sign_in(p, user["username"])
    invoice = p.locator("#invoice-number").inner_text()
    add_card(p, "4242 4242 4242 4242")
    p.get_by_role("button", name="Pay now").click()
    p.wait_for_load_state()
    payment_id = p.url.rsplit("/", 1)[-1]
    email = f"guest-{uuid.uuid4().hex[:8]}@harbor.example"
    p.goto("/users")
    p.get_by_label("Email").fill(email)
    p.get_by_label("Current password").fill(PASSWORD)
    p.get_by_role("button", name="Send invitation").click()
    p.wait_for_load_state()
    token = invitation_link(system, email).rsplit("=", 1)[-1]
    state = context.storage_state()
    context.close()
    return state, {"invoice_number": invoice, "payment_id": payment_id, "invitation": token}
