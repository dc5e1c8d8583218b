"""Billing test data: an account-opening request, a billed account's calls, and a fixture that
opens an account on a billing service started in a nameko container."""
import pytest

from services.billing.service import BillingService
from tests.support.containers import hook

REQUEST = {
    "company_name": "Northwind Logistics", "contact_name": "Ana Ruiz",
    "email": "billing@northwind.example", "phone": "(212) 555-0147",
    "billing_address": {"line1": "10 Pier Road", "city": "New York", "state": "ny",
                        "postal_code": "10004"},
    "bill_cycle_day": 12,
    "services": [{"code": "INT-500", "quantity": 1}, {"code": "VOICE-LINE", "quantity": 3}],
}

OPEN = {**REQUEST, "bill_cycle_day": 1,
        "services": [{"code": "INT-500", "quantity": 1}, {"code": "VOICE-LINE", "quantity": 3}]}


def calls(n, day=10, month=10):
    kinds = ["local", "long_distance", "international"]
    return [{"started_at": f"2026-{month:02d}-{day:02d}T{9 + i // 60:02d}:{i % 60:02d}:00Z",
             "from_number": "+12125550147",
             "to_number": "+442071234567" if kinds[i % 3] == "international" else "+13125550100",
             "duration_seconds": 61 + i, "call_type": kinds[i % 3]} for i in range(n)]


@pytest.fixture
def billing(start_service):
    container = start_service(BillingService)
    opened = hook(container, "open_account", OPEN)
    return container, opened["account_number"]
