"""payments in a nameko container on a real broker and database (SQLite and PostgreSQL):
methods, one-time payments with idempotency keys, scheduled payments, autopay and payment runs.
identity's RPCs are replaced by a small fake (the security-code preference); the processor is
the real sandbox adapter."""
import json
from datetime import date

import eventlet
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter
from nameko.testing.utils import get_extension
from sqlalchemy import create_engine, text

from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from services.payments.processor_dependency import PaymentProcessor
from services.runtime import outbox
from services.runtime.database import engine_url
from tests.support.payment_methods import BANK, CARD, DECLINED
from tests.support.payments_service import (ACCOUNT, AFTER, OTHER, SOON, FakeBilling,  # noqa: F401
                                            FakeIdentity, call, events, query, start_payments)


def test_a_card_is_kept_only_as_token_brand_last4_and_expiry(start_payments):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    assert (method["type"], method["brand"], method["last4"]) == ("card", "visa", "4242")
    assert call(container, "list_payment_methods", ACCOUNT) == [method]
    assert call(container, "list_payment_methods", OTHER) == []
    dump = json.dumps([list(map(str, row)) for row in query(
        container, "SELECT * FROM payment_methods")] + [
        row[0] for row in query(container, "SELECT body FROM outbox")])
    assert "4242424242424242" not in dump and '"123"' not in dump
    assert events(container, "payment_method_added")[0]["last4"] == "4242"


def test_invalid_or_declined_methods_are_refused_and_nothing_is_kept(start_payments):
    container = start_payments()
    with pytest.raises(InvalidInput) as raised:
        call(container, "add_payment_method", ACCOUNT, dict(CARD, card_number="4242424242424241"))
    assert "card_number" in raised.value.errors
    with pytest.raises(Refused):
        call(container, "add_payment_method", ACCOUNT, dict(CARD, card_number="4111111111111111"))
    assert query(container, "SELECT count(*) FROM payment_methods")[0][0] == 0
    assert query(container, "SELECT count(*) FROM outbox")[0][0] == 0


def test_the_same_key_and_body_return_the_first_payment_and_another_body_conflicts(
        start_payments):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    body = {"amount_cents": 12345, "payment_method_id": method["id"]}
    first = call(container, "create_payment", ACCOUNT, body, "key-1", user_id="u1")
    assert first["status"] == "succeeded" and first["amount_cents"] == 12345
    assert call(container, "create_payment", ACCOUNT, body, "key-1", user_id="u1") == first
    with pytest.raises(Conflict):
        call(container, "create_payment", ACCOUNT, dict(body, amount_cents=1), "key-1")
    with pytest.raises(InvalidInput):
        call(container, "create_payment", ACCOUNT, body, "")
    assert query(container, "SELECT count(*) FROM payments")[0][0] == 1
    succeeded = events(container, "payment_succeeded")
    assert len(succeeded) == 1 and succeeded[0]["user_id"] == "u1"
    [listed] = call(container, "list_payments", ACCOUNT, 10)["items"]
    assert listed["id"] == first["id"] and listed["status"] == "succeeded"


def test_concurrent_requests_with_one_key_make_one_payment(start_payments):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    body = {"amount_cents": 500, "payment_method_id": method["id"]}
    threads = [eventlet.spawn(call, container, "create_payment", ACCOUNT, body, "same-key")
               for _ in range(5)]
    results = [thread.wait() for thread in threads]
    assert len({r["id"] for r in results}) == 1
    assert query(container, "SELECT count(*) FROM payments")[0][0] == 1
    assert len(events(container, "payment_succeeded")) == 1


def test_a_declined_card_makes_a_failed_payment_with_a_readable_reason(start_payments):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, DECLINED)
    payment = call(container, "create_payment", ACCOUNT,
                   {"amount_cents": 100, "payment_method_id": method["id"]}, "k")
    assert payment["status"] == "failed"
    assert "declined" in payment["failure_reason"]
    assert events(container, "payment_failed")[0]["will_retry"] is False


def test_another_accounts_method_is_not_found_and_nothing_is_charged(start_payments):
    container = start_payments()
    method = call(container, "add_payment_method", OTHER, CARD)
    with pytest.raises(NotFound):
        call(container, "create_payment", ACCOUNT,
             {"amount_cents": 100, "payment_method_id": method["id"]}, "k")
    with pytest.raises(NotFound):
        call(container, "remove_payment_method", ACCOUNT, method["id"])
    assert query(container, "SELECT count(*) FROM payments")[0][0] == 0
    assert query(container, "SELECT count(*) FROM idempotency_keys")[0][0] == 0


def test_the_security_code_is_required_when_the_user_asks_for_it(start_payments):
    container = start_payments(identity=FakeIdentity(require=True, code="2468"))
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    body = {"amount_cents": 100, "payment_method_id": method["id"]}
    with pytest.raises(InvalidInput) as raised:
        call(container, "create_payment", ACCOUNT, body, "k1", user_id="u1")
    assert "security_code" in raised.value.errors
    with pytest.raises(Refused):
        call(container, "create_payment", ACCOUNT, dict(body, security_code="1111"), "k1",
             user_id="u1")
    assert query(container, "SELECT count(*) FROM payments")[0][0] == 0
    ok = call(container, "create_payment", ACCOUNT, dict(body, security_code="2468"), "k1",
              user_id="u1")
    assert ok["status"] == "succeeded"
    assert "2468" not in json.dumps([str(r) for r in query(container, "SELECT * FROM "
                                                                      "idempotency_keys")])


def test_a_scheduled_payment_waits_for_its_run_and_can_be_canceled_before(start_payments):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    later = call(container, "create_payment", ACCOUNT,
                 {"amount_cents": 700, "payment_method_id": method["id"],
                  "scheduled_for": SOON}, "k1")
    assert later["status"] == "scheduled"
    assert later["scheduled_for"] == SOON
    canceled = call(container, "cancel_payment", ACCOUNT, later["id"])
    assert canceled["status"] == "canceled"
    with pytest.raises(Conflict):
        call(container, "cancel_payment", ACCOUNT, later["id"])
    assert call(container, "run_payments", AFTER)["payments_attempted"] == 0
    assert len(events(container, "payment_scheduled")) == 1


def statement_event(invoice, due="2026-12-20", amount=9900):
    return outbox.envelope("billing", "statement_issued", {
        "account_number": ACCOUNT, "invoice_number": invoice,
        "statement_date": date(2026, 12, 1), "due_date": date.fromisoformat(due),
        "amount_due_cents": amount, "currency": "USD"})


def test_who_sets_and_cancels_autopay_is_on_its_events_as_before(start_payments):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    who = {"user_id": "u1", "ip": "203.0.113.9", "user_agent": "Mozilla/5.0"}
    call(container, "set_autopay", ACCOUNT, {"payment_method_id": method["id"]}, actor=who)
    call(container, "cancel_autopay", ACCOUNT, actor=who)
    on, off = events(container, "autopay_changed")
    assert on == {"account_number": ACCOUNT, "enabled": True, "payment_method_id": method["id"],
                  "max_amount_cents": None, "actor_user_id": "u1", "ip": "203.0.113.9"}
    assert off["enabled"] is False and off["actor_user_id"] == "u1" and "user_agent" not in off


def test_autopay_schedules_each_statement_once_and_pays_it_on_the_due_date(
        start_payments, vhost):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    assert call(container, "get_autopay", ACCOUNT) is None
    assert call(container, "set_autopay", ACCOUNT, {"payment_method_id": method["id"]}) == {
        "enabled": True, "payment_method_id": method["id"], "max_amount_cents": None,
        "next_draft": None}
    with pytest.raises(Conflict):
        call(container, "remove_payment_method", ACCOUNT, method["id"])
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    event = statement_event("INV-1")
    for _ in range(2):
        with entrypoint_waiter(container, "on_statement_issued", timeout=10):
            dispatch("billing", "statement_issued", event)
    scheduled = events(container, "payment_scheduled")
    assert len(scheduled) == 1 and scheduled[0]["scheduled_for"] == "2026-12-20"
    assert call(container, "run_payments", "2026-12-19")["payments_attempted"] == 0
    assert call(container, "run_payments", "2026-12-20")["payments_attempted"] == 1
    assert call(container, "run_payments", "2026-12-20")["payments_attempted"] == 0
    succeeded = events(container, "payment_succeeded")
    assert len(succeeded) == 1 and succeeded[0]["amount_cents"] == 9900
    assert succeeded[0]["user_id"] is None
    assert len(events(container, "autopay_changed")) == 1


def test_the_scheduled_autopay_payment_follows_a_new_method_and_is_canceled_when_autopay_goes_off(
        start_payments, vhost):
    container = start_payments()
    first = call(container, "add_payment_method", ACCOUNT, CARD)
    second = call(container, "add_payment_method", ACCOUNT, BANK)
    call(container, "set_autopay", ACCOUNT, {"payment_method_id": first["id"]})
    with entrypoint_waiter(container, "on_statement_issued", timeout=10):
        event_dispatcher({"AMQP_URI": vhost[1]})("billing", "statement_issued",
                                                 statement_event("INV-3"))
    call(container, "set_autopay", ACCOUNT, {"payment_method_id": second["id"]})
    assert query(container, "SELECT status, payment_method_id FROM payments") == [
        ("scheduled", second["id"])]
    call(container, "cancel_autopay", ACCOUNT)
    assert call(container, "run_payments", "2026-12-20")["payments_attempted"] == 0
    assert query(container, "SELECT status, failure_reason FROM payments") == [
        ("canceled", "Autopay was turned off.")]
    assert events(container, "payment_succeeded") == []


def test_a_failed_autopay_is_retried_1_3_and_5_days_later_then_left_failed(start_payments,
                                                                          vhost):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT,
                  dict(CARD, card_number="4000000000009995"))
    call(container, "set_autopay", ACCOUNT, {"payment_method_id": method["id"]})
    with entrypoint_waiter(container, "on_statement_issued", timeout=10):
        event_dispatcher({"AMQP_URI": vhost[1]})("billing", "statement_issued",
                                                 statement_event("INV-2", due="2026-12-20"))
    tried = {day: call(container, "run_payments", f"2026-12-{day}")["payments_attempted"]
             for day in range(20, 28)}
    assert tried == {20: 1, 21: 1, 22: 0, 23: 1, 24: 0, 25: 1, 26: 0, 27: 0}
    failed = events(container, "payment_failed")
    assert [f["will_retry"] for f in failed] == [True, True, True, False]
    assert [f["retry_on"] for f in failed] == ["2026-12-21", "2026-12-23", "2026-12-25", None]
    assert query(container, "SELECT status, attempts FROM payments")[0] == ("failed", 4)


def test_a_bank_payment_is_pending_until_a_run_settles_it_and_may_come_back(start_payments):
    container = start_payments()
    good = call(container, "add_payment_method", ACCOUNT, BANK)
    bouncing = call(container, "add_payment_method", ACCOUNT,
                    dict(BANK, account_number="000123450002"))
    assert good["bank_name"] == "STRIPE TEST BANK"
    p1 = call(container, "create_payment", ACCOUNT,
              {"amount_cents": 1000, "payment_method_id": good["id"]}, "b1")
    p2 = call(container, "create_payment", ACCOUNT,
              {"amount_cents": 2000, "payment_method_id": bouncing["id"]}, "b2")
    assert p1["status"] == p2["status"] == "pending"
    assert call(container, "run_payments", "2026-12-01")["settled"] == 2
    assert len(events(container, "payment_succeeded")) == 2
    assert call(container, "run_payments", "2026-12-02")["returned"] == 1
    returned = events(container, "payment_returned")
    assert [r["payment_id"] for r in returned] == [p2["id"]]
    assert call(container, "get_payment", ACCOUNT, p2["id"])["status"] == "returned"
    assert call(container, "run_payments", "2026-12-03")["returned"] == 0


def test_two_replicas_run_each_due_payment_exactly_once(start_payments, database):
    url = database("payments")
    first = start_payments(url=url)
    second = start_payments(url=url)
    method = call(first, "add_payment_method", ACCOUNT, CARD)
    for n in range(30):
        call(first, "create_payment", ACCOUNT, {"amount_cents": 100 + n,
                                                "payment_method_id": method["id"],
                                                "scheduled_for": SOON}, f"s{n}")
    runs = [eventlet.spawn(call, c, "run_payments", SOON) for c in (first, second)]
    attempted = sum(r.wait()["payments_attempted"] for r in runs)
    assert attempted == 30
    assert query(first, "SELECT count(*) FROM payments WHERE status = 'succeeded' "
                        "AND attempts = 1")[0][0] == 30
    assert len(events(first, "payment_succeeded")) == 30


def charges_then_raises(container, error):
    """Patches the container's processor (the real sandbox its PaymentProcessor built): each
    charge is made, then ``error`` is raised (the process killed before recording it, or the
    processor's answer lost on the way back)."""
    from unittest import mock
    adapter = get_extension(container, PaymentProcessor).adapter
    original = adapter.charge

    def charge(**kwargs):
        original(**kwargs)
        raise error
    return mock.patch.object(adapter, "charge", charge)


def age_payments(container):
    """Every payment untouched for years: its request is clearly dead."""
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.begin() as conn:
        conn.execute(text("UPDATE payments SET updated_at = :t"),
                     {"t": "2000-01-01 00:00:00+00:00"})
    engine.dispose()


def test_a_charge_interrupted_by_a_crash_is_finished_by_the_next_run_never_left_unknown(
        start_payments):
    from unittest import mock
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    body = {"amount_cents": 4200, "payment_method_id": method["id"]}
    with mock.patch("services.payments.lifecycle.charge", side_effect=RuntimeError("crash")):
        with pytest.raises(Exception):
            call(container, "create_payment", ACCOUNT, body, "crash-key")
    assert query(container, "SELECT status, processor_ref FROM payments")[0] == ("pending", None)
    age_payments(container)  # the crash was a while ago
    assert call(container, "run_payments", date.today().isoformat())["payments_attempted"] == 1
    again = call(container, "create_payment", ACCOUNT, body, "crash-key")
    assert again["status"] == "succeeded"
    assert query(container, "SELECT count(*) FROM payments")[0][0] == 1
    assert len(events(container, "payment_succeeded")) == 1


def test_a_retry_of_a_key_whose_first_request_died_finishes_that_payment_charged_once(
        start_payments):
    from services.payments.processor import ChargeJournal, journal_path
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    body = {"amount_cents": 4300, "payment_method_id": method["id"]}
    # the processor charged, then the process was killed
    with charges_then_raises(container, RuntimeError("killed before recording the charge")):
        with pytest.raises(Exception):
            call(container, "create_payment", ACCOUNT, body, "died-key")
    assert query(container, "SELECT status, processor_ref FROM payments")[0] == ("pending", None)
    with pytest.raises(Conflict):  # a moment later the first request may still be running
        call(container, "create_payment", ACCOUNT, body, "died-key")
    age_payments(container)  # its request died a while ago
    again = call(container, "create_payment", ACCOUNT, body, "died-key")
    assert again["status"] == "succeeded"
    assert call(container, "create_payment", ACCOUNT, body, "died-key") == again
    assert query(container, "SELECT count(*) FROM payments")[0][0] == 1
    assert len(events(container, "payment_succeeded")) == 1
    [charge] = ChargeJournal(journal_path(container.config["DATA_DIR"])).charges()
    assert charge["asked"] == 2  # asked again after the crash, charged once


def test_autopay_pays_only_what_is_still_due_and_waits_while_billing_is_away(start_payments,
                                                                            vhost):
    billing = FakeBilling({ACCOUNT: 4000})
    container = start_payments(billing=billing)
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    call(container, "set_autopay", ACCOUNT, {"payment_method_id": method["id"]})
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    for invoice in ("INV-A", "INV-B", "INV-C"):
        with entrypoint_waiter(container, "on_statement_issued", timeout=10):
            dispatch("billing", "statement_issued", statement_event(invoice, amount=9900))

    billing.dues[ACCOUNT] = RuntimeError("billing away")
    assert call(container, "run_payments", "2026-12-20")["payments_attempted"] == 0
    assert query(container, "SELECT count(*) FROM payments WHERE status = 'scheduled'")[0][0] == 3

    billing.dues[ACCOUNT] = 4000  # the customer paid part by hand: autopay takes the rest
    assert call(container, "run_payments", "2026-12-20")["payments_attempted"] == 3
    statuses = sorted(tuple(r) for r in query(
        container, "SELECT status, amount_cents FROM payments"))
    assert statuses == [("succeeded", 4000)] * 3

    billing.dues[ACCOUNT] = 0  # nothing due: no payment
    with entrypoint_waiter(container, "on_statement_issued", timeout=10):
        dispatch("billing", "statement_issued", statement_event("INV-D", amount=9900))
    assert call(container, "run_payments", "2026-12-20")["payments_attempted"] == 0
    assert query(container, "SELECT status FROM payments WHERE invoice_number = 'INV-D'"
                 )[0][0] == "canceled"


def test_a_processor_that_drops_the_line_leaves_the_payment_pending_then_finished_charged_once(
        start_payments):
    from services.payments.processor import ChargeJournal, ProcessorUnavailable, journal_path
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)
    body = {"amount_cents": 4400, "payment_method_id": method["id"]}
    # the processor charged, then its answer was lost
    with charges_then_raises(container, ProcessorUnavailable("connection reset")):
        first = call(container, "create_payment", ACCOUNT, body, "dropped-key")
    assert first["status"] == "pending"  # not "failed, nothing was charged": nobody knows yet
    assert events(container, "payment_failed") == []
    age_payments(container)  # a while later
    assert call(container, "run_payments", date.today().isoformat())["payments_attempted"] >= 1
    assert call(container, "create_payment", ACCOUNT, body, "dropped-key")["status"] == "succeeded"
    assert query(container, "SELECT count(*) FROM payments")[0][0] == 1
    assert len(events(container, "payment_succeeded")) == 1
    [charge] = ChargeJournal(journal_path(container.config["DATA_DIR"])).charges()
    assert charge["asked"] == 2  # asked again by the run, charged once


def test_the_history_pages_on_a_key_so_a_new_payment_repeats_nothing(start_payments):
    container = start_payments()
    method = call(container, "add_payment_method", ACCOUNT, CARD)

    def pay(key):
        return call(container, "create_payment", ACCOUNT,
                    {"amount_cents": 100, "payment_method_id": method["id"]}, key)["id"]
    made = [pay(f"history-{i}") for i in range(3)]
    first = call(container, "list_payments", ACCOUNT, 2)
    pay("history-new")  # newest first: an offset would now show made[1] again
    rest = call(container, "list_payments", ACCOUNT, 2, first["next_cursor"])
    assert [p["id"] for p in first["items"] + rest["items"]] == made[::-1]
    assert rest["next_cursor"] is None
    for limit, cursor in ((0, None), (101, None), (20, "2"), (20, first["next_cursor"][:-2])):
        with pytest.raises(InvalidInput):
            call(container, "list_payments", ACCOUNT, limit, cursor)
