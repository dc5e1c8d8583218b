"""The demo account `make run` seeds into an empty data folder."""
from services.billing import accounts

DEMO_ACCOUNT = {
    "company_name": "Harbor Street Dental, LLC",
    "contact_name": "Dana Whitfield",
    "email": "office@harborstreetdental.example",
    "phone": "+1 415 555 0142",
    "billing_address": {"line1": "220 Harbor Street", "line2": "Suite 4", "city": "San Francisco",
                        "state": "CA", "postal_code": "94111"},
    "bill_cycle_day": 1,
    "services": [{"code": "INT-1G", "quantity": 1}, {"code": "VOICE-LINE", "quantity": 3},
                 {"code": "STATIC-IP-1", "quantity": 1}, {"code": "TV-ESSENTIAL", "quantity": 1}],
}


def seed(db):
    """Open the demo account through the same rules as the staff API; returns number and key."""
    data = accounts.load_request(DEMO_ACCOUNT)
    with db.transaction() as tx:
        account, key = accounts.open_account(tx.session, data)
        tx.emit("account_opened", accounts.opened_event(account))
    return {"account_number": account.account_number, "security_key": key}
