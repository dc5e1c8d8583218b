"""One statement's detail as billing's get_statement answers it, for the tests that render it
(the PDF, its pages, its sandbox)."""

DETAIL = {
    "invoice_number": "26110110000042", "statement_date": "2026-11-01", "due_date": "2026-11-22",
    "previous_balance_cents": 10000, "payments_cents": 10000, "adjustments_cents": 0,
    "new_charges_cents": 12345, "amount_due_cents": 12345,
    "account": {"account_number": "4000000000000002", "security_key": "KX7PQ2MZ",
                "company_name": "Harbor Street Dental",
                "contact_name": "Dana", "billing_address": {
                    "line1": "220 Harbor Street", "line2": None, "city": "San Francisco",
                    "state": "CA", "postal_code": "94111"}},
    "sections": [{"name": "Internet", "code": "internet", "subtotal_cents": 12345, "lines": [
        {"description": "Business Internet Gigabit", "quantity": 1, "amount_cents": 12345}]}],
}
