"""billing: the company profile, invoice delivery and the paper print batch, in a container on
a real broker and database (nothing faked)."""
import pytest
from nameko.testing.services import entrypoint_hook, entrypoint_waiter

from services.billing.service import BillingService
from services.contracts.errors import InvalidInput, NotFound
from tests.service.test_billing_accounts import REQUEST, events_queue, take


def hook(container, name, *args, **kwargs):
    with entrypoint_hook(container, name) as method:
        return method(*args, **kwargs)


@pytest.fixture
def billing(start_service):
    container = start_service(BillingService)
    return container, hook(container, "open_account", REQUEST)["account_number"]


def test_an_admin_renames_the_company_and_the_change_is_published_with_who_and_where(billing):
    container, number = billing
    queue = events_queue(container.config["AMQP_URI"], "billing", "profile_changed")
    changed = hook(container, "update_profile", number,
                   {"company_name": "Northwind Freight", "phone": "212 555 0100",
                    "billing_address": {"line1": "1 Dock St", "city": "Newark", "state": "nj",
                                        "postal_code": "07102"}},
                   actor={"user_id": "u-1", "ip": "203.0.113.9"})
    assert changed["company_name"] == "Northwind Freight"
    assert changed["phone"] == "+12125550100"
    assert changed["billing_address"]["state"] == "NJ"
    assert hook(container, "get_profile", number) == changed
    event = take(container.config["AMQP_URI"], queue)
    assert event["data"] == {"account_number": number, "actor_user_id": "u-1",
                             "ip": "203.0.113.9",
                             "fields": ["company_name", "phone", "billing_address"]}


def test_a_malformed_profile_change_names_each_field_and_changes_nothing(billing):
    container, number = billing
    before = hook(container, "get_profile", number)
    with pytest.raises(InvalidInput) as refused:
        hook(container, "update_profile", number,
             {"company_name": "Fine Name", "email": "not-an-email", "phone": "12",
              "billing_address": {"line1": "x", "city": "y", "state": "ZZ",
                                  "postal_code": "1"}})
    assert set(refused.value.errors) == {"email", "phone", "billing_address"}
    assert set(refused.value.errors["billing_address"]) == {"state", "postal_code"}
    assert hook(container, "get_profile", number) == before
    with pytest.raises(NotFound):
        hook(container, "get_profile", "4111111111111111")


def test_going_paperless_sends_bills_by_email_and_paper_accounts_land_in_the_print_batch(
        billing, tmp_path):
    container, number = billing
    assert hook(container, "get_invoice_delivery", number) == {
        "method": "paper", "email": "billing@northwind.example"}
    with pytest.raises(InvalidInput) as refused:
        hook(container, "set_invoice_delivery", number, {"method": "fax"})
    assert "method" in refused.value.errors
    with entrypoint_waiter(container, "on_statement_issued"):
        hook(container, "issue_statements", {"statement_date": "2026-11-12"})
    batch = list((tmp_path / "print-batch" / "2026-11-12").glob("*.pdf"))
    assert len(batch) == 1 and batch[0].read_bytes().startswith(b"%PDF")

    queue = events_queue(container.config["AMQP_URI"], "billing", "statement_issued")
    assert hook(container, "set_invoice_delivery", number,
                {"method": "paperless", "email": "AP@Northwind.example"}) == {
        "method": "paperless", "email": "AP@northwind.example"}
    with entrypoint_waiter(container, "on_statement_issued"):
        hook(container, "issue_statements", {"statement_date": "2026-12-12"})
    issued = take(container.config["AMQP_URI"], queue)["data"]
    assert issued["invoice_delivery"] == "paperless"
    assert issued["delivery_email"] == "AP@northwind.example"
    assert not (tmp_path / "print-batch" / "2026-12-12").exists()
