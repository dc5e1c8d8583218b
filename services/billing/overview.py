"""One account as staff see it on the desk: billing's part of the overview (profile, status,
services, balance, the last statements). The gateway adds payments' recent payments and
identity's users and roles (gateway/clients/accounts.py)."""
from services.billing import catalogue, disputes, fees, profile, queries

LAST_STATEMENTS = 3


def account_overview(session, account_number):
    """``{account_number, status, profile, invoice_delivery, bill_cycle_day, opened_on,
    services: [{code, name, section, quantity, monthly_cents}], balance_cents,
    amount_due_cents, past_due_cents, currency, statements: [statement], open_disputes:
    [dispute]}``. Raises NotFound."""
    found = queries.account(session, account_number)
    summary = queries.summary(session, found.account_number)
    services = []
    for line in sorted(found.services, key=lambda s: s.product_code):
        product = catalogue.product(line.product_code)
        services.append({"code": line.product_code,
                         "name": product.name if product else line.product_code,
                         "section": product.section if product else "add-ons",
                         "quantity": line.quantity, "monthly_cents": line.monthly_cents})
    return {
        "account_number": found.account_number, "status": found.status,
        "profile": profile.public(found), "invoice_delivery": found.invoice_delivery,
        "bill_cycle_day": found.bill_cycle_day, "opened_on": found.opened_on.isoformat(),
        "services": services, "balance_cents": summary["balance_cents"],
        "amount_due_cents": summary["amount_due_cents"],
        "past_due_cents": summary["past_due_cents"], "currency": fees.CURRENCY,
        "statements": queries.statements(session, found.account_number,
                                         LAST_STATEMENTS)["items"],
        "open_disputes": disputes.open_disputes(session, found.id),
        "closure": summary["closure"],
    }
