"""Payment methods as a customer enters them, for the sandbox processor: a card it accepts, one it
declines, and a bank account."""

CARD = {"type": "card", "card_number": "4242424242424242", "exp_month": 12, "exp_year": 2031,
        "cvc": "123", "name": "Ana Ruiz", "postal_code": "10004"}
DECLINED = dict(CARD, card_number="4000000000000002")
BANK = {"type": "bank_account", "routing_number": "110000000", "account_number": "000123456789",
        "account_type": "checking", "name": "Northwind"}
