"""billing: the company profile, invoice delivery and the paper print batch, in a container on
a real broker and database. Only notifications' mail RPC is a fake (tests/service/
identity_service.py records it), so a test reads the verification link an address would get."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from nameko.testing.services import entrypoint_waiter

from services.billing.service import BillingService
from services.contracts.errors import InvalidInput, NotFound, Refused, Throttled
from tests.support import identity_service
from tests.support.billing_accounts import REQUEST
from tests.support.containers import events_queue, execute, hook, take


class BillingUnderTest(BillingService):
    notifications_rpc = identity_service._Fixed(identity_service._Notifications())


def verification_token(to):
    name, kwargs = identity_service.SENT[-1]
    assert kwargs["template"] == "invoice_email_verify" and kwargs["to"] == to
    assert kwargs["secret_keys"] == ["link"]
    return re.search(r"confirm-invoice-email\?token=([\w-]+)", kwargs["context"]["link"]).group(1)


@pytest.fixture
def billing(start_service):
    identity_service.SENT.clear()
    container = start_service(BillingUnderTest)
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


def test_a_confirmed_address_is_published_with_who_asked_for_it_and_where_it_was_confirmed(
        billing):
    container, number = billing
    queue = events_queue(container.config["AMQP_URI"], "billing", "invoice_delivery_changed")
    hook(container, "set_invoice_delivery", number,
         {"method": "paperless", "email": "ap@northwind.example"},
         actor={"user_id": "u-1", "ip": "203.0.113.9", "user_agent": "pytest"})
    token = verification_token("ap@northwind.example")
    hook(container, "confirm_invoice_email", token,
         actor={"user_id": None, "ip": "198.51.100.20", "user_agent": "mail client"})
    event = take(container.config["AMQP_URI"], queue)
    assert event["data"] == {"account_number": number, "method": "paperless",
                             "email": "ap@northwind.example", "actor_user_id": "u-1",
                             "ip": "198.51.100.20"}


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
        "method": "paper", "email": "billing@northwind.example", "pending_email": None}
    with pytest.raises(InvalidInput) as refused:
        hook(container, "set_invoice_delivery", number, {"method": "fax"})
    assert "method" in refused.value.errors
    with entrypoint_waiter(container, "on_statement_issued"):
        hook(container, "issue_statements", {"statement_date": "2026-11-12"})
    batch = list((tmp_path / "print-batch" / "2026-11-12").glob("*.pdf"))
    assert len(batch) == 1 and batch[0].read_bytes().startswith(b"%PDF")

    queue = events_queue(container.config["AMQP_URI"], "billing", "statement_issued")
    # a new address changes nothing until the link mailed to it is followed
    assert hook(container, "set_invoice_delivery", number,
                {"method": "paperless", "email": "AP@Northwind.example"}) == {
        "method": "paper", "email": "billing@northwind.example",
        "pending_email": "AP@northwind.example"}
    token = verification_token("AP@northwind.example")
    assert hook(container, "confirm_invoice_email", token)["email"] == "AP@northwind.example"
    assert hook(container, "get_invoice_delivery", number) == {
        "method": "paperless", "email": "AP@northwind.example", "pending_email": None}
    with entrypoint_waiter(container, "on_statement_issued"):
        hook(container, "issue_statements", {"statement_date": "2026-12-12"})
    issued = take(container.config["AMQP_URI"], queue)["data"]
    assert issued["invoice_delivery"] == "paperless"
    assert issued["delivery_email"] == "AP@northwind.example"
    assert not (tmp_path / "print-batch" / "2026-12-12").exists()


def test_a_verification_link_works_once_expires_and_is_superseded(billing):
    container, number = billing
    hook(container, "set_invoice_delivery", number,
         {"method": "paperless", "email": "first@northwind.example"})
    first = verification_token("first@northwind.example")
    hook(container, "set_invoice_delivery", number,
         {"method": "paperless", "email": "second@northwind.example"})
    second = verification_token("second@northwind.example")
    with pytest.raises(Refused):  # a newer request ended it
        hook(container, "confirm_invoice_email", first)
    execute(container, "UPDATE invoice_email_verifications SET expires_at = :t",
            t=datetime.now(timezone.utc) - timedelta(seconds=1))
    with pytest.raises(Refused):
        hook(container, "confirm_invoice_email", second)
    assert hook(container, "get_invoice_delivery", number)["method"] == "paper"
    stored = str(execute(container, "SELECT * FROM invoice_email_verifications"))
    assert first not in stored and second not in stored


def test_verification_mail_is_throttled_per_recipient_and_per_account(billing):
    container, number = billing
    for _ in range(3):
        hook(container, "set_invoice_delivery", number,
             {"method": "paperless", "email": "ap@northwind.example"})
    with pytest.raises(Throttled) as refused:
        hook(container, "set_invoice_delivery", number,
             {"method": "paperless", "email": "ap@northwind.example"})
    assert refused.value.retry_after > 0
    hook(container, "set_invoice_delivery", number,
         {"method": "paperless", "email": "other@northwind.example"})
    hook(container, "set_invoice_delivery", number,
         {"method": "paperless", "email": "third@northwind.example"})
    with pytest.raises(Throttled):  # five for the account this hour, whatever the address
        hook(container, "set_invoice_delivery", number,
             {"method": "paperless", "email": "fourth@northwind.example"})
    assert len(identity_service.SENT) == 5


def test_paper_with_a_new_address_goes_to_paper_at_once_and_the_address_waits(billing):
    container, number = billing
    hook(container, "set_invoice_delivery", number, {"method": "paperless"})
    assert hook(container, "set_invoice_delivery", number, {
        "method": "paper", "email": "later@northwind.example"}) == {
        "method": "paper", "email": "billing@northwind.example",
        "pending_email": "later@northwind.example"}
    hook(container, "confirm_invoice_email", verification_token("later@northwind.example"))
    assert hook(container, "get_invoice_delivery", number) == {
        "method": "paper", "email": "later@northwind.example", "pending_email": None}


def test_a_new_company_email_does_not_move_paperless_bills(billing):
    container, number = billing
    hook(container, "set_invoice_delivery", number, {"method": "paperless"})
    hook(container, "update_profile", number, {"email": "new@northwind.example"})
    assert hook(container, "get_invoice_delivery", number)["email"] == \
        "billing@northwind.example"
