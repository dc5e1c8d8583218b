"""payments' refunds in a nameko container on a real broker and database (SQLite and
PostgreSQL), with the real sandbox processor and its journal: what may be refunded, the
Idempotency-Key, concurrent refunds of one payment, and a refund cut short by a crash."""
from datetime import date, timedelta
from unittest import mock

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.utils import get_extension
from sqlalchemy import create_engine, text

from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from services.payments.processor import ProcessorUnavailable
from services.payments.processor_dependency import PaymentProcessor
from services.payments.sandbox_journal import ChargeJournal, journal_path
from services.runtime.database import engine_url
from tests.support.payment_methods import BANK, CARD, DECLINED
from tests.support.payments_service import (ACCOUNT, OTHER, call, events, query,  # noqa: F401
                                            start_payments)

WHY = {"reason": "Charged twice for the same invoice"}


def paid(container, amount=1000, method=CARD, key=None):
    method_id = call(container, "add_payment_method", ACCOUNT, method)["id"]
    return call(container, "create_payment", ACCOUNT,
                {"amount_cents": amount, "payment_method_id": method_id},
                key or f"pay-{amount}-{method_id}", user_id="payer-1")


def refund(container, payment_id, amount, key, account=ACCOUNT, reason=WHY["reason"]):
    return call(container, "refund_payment", account, payment_id,
                {"amount_cents": amount, "reason": reason}, key)


def journal(container):
    return ChargeJournal(journal_path(container.config["DATA_DIR"])).refunds()


def age_refunds(container):
    engine = create_engine(engine_url(container.config["DATABASE_URL"]))
    with engine.begin() as conn:
        conn.execute(text("UPDATE refunds SET updated_at = :t"),
                     {"t": "2000-01-01 00:00:00+00:00"})
    engine.dispose()


def test_a_payment_is_refunded_in_parts_up_to_what_it_took_and_never_more(start_payments):
    container = start_payments()
    payment = paid(container, 1000)
    first = refund(container, payment["id"], 600, "r-1")
    assert (first["status"], first["amount_cents"], first["payment_refunded_cents"]) == (
        "succeeded", 600, 600)
    with pytest.raises(Refused) as refused:
        refund(container, payment["id"], 401, "r-2")
    assert "$4.00" in refused.value.detail
    assert refund(container, payment["id"], 400, "r-3")["payment_refunded_cents"] == 1000
    shown = call(container, "get_payment", ACCOUNT, payment["id"])
    assert (shown["status"], shown["refunded_cents"]) == ("succeeded", 1000)
    [listed] = call(container, "list_payments", ACCOUNT, 10)["items"]
    assert listed["refunded_cents"] == 1000
    told = events(container, "payment_refunded")
    assert [(e["amount_cents"], e["refunded_cents"]) for e in told] == [(600, 600), (400, 1000)]
    assert told[0]["payment_id"] == payment["id"] and told[0]["user_id"] == "payer-1"
    assert (told[0]["method_type"], told[0]["last4"], told[0]["reason"]) == (
        "card", "4242", WHY["reason"])
    assert sum(r["amount_cents"] for r in journal(container) if r["status"] == "succeeded") \
        == 1000
    assert query(container, "SELECT status FROM refunds ORDER BY created_at") == [
        ("succeeded",), ("succeeded",)]


def test_the_same_key_answers_the_first_refund_and_another_body_conflicts(start_payments):
    container = start_payments()
    payment = paid(container, 1000)
    first = refund(container, payment["id"], 300, "same")
    assert refund(container, payment["id"], 300, "same") == first
    with pytest.raises(Conflict):
        refund(container, payment["id"], 301, "same")
    with pytest.raises(Conflict):
        refund(container, payment["id"], 300, "same", reason="Another reason")
    with pytest.raises(InvalidInput):
        refund(container, payment["id"], 300, "")
    with pytest.raises(InvalidInput):
        refund(container, payment["id"], 0, "zero")
    assert len(events(container, "payment_refunded")) == 1
    assert [r["asked"] for r in journal(container)] == [1]


def test_only_a_succeeded_payment_of_the_account_is_refunded(start_payments):
    container = start_payments()
    payment = paid(container, 1000)
    with pytest.raises(NotFound):
        refund(container, payment["id"], 100, "other-account", account=OTHER)
    with pytest.raises(NotFound):
        refund(container, "no-such-payment", 100, "unknown")
    declined = paid(container, 500, DECLINED)
    assert declined["status"] == "failed"
    with pytest.raises(Refused):
        refund(container, declined["id"], 100, "declined")
    method_id = call(container, "add_payment_method", ACCOUNT, CARD)["id"]
    scheduled = call(container, "create_payment", ACCOUNT, {
        "amount_cents": 500, "payment_method_id": method_id,
        "scheduled_for": (date.today() + timedelta(days=5)).isoformat()}, "later")
    with pytest.raises(Refused):
        refund(container, scheduled["id"], 100, "scheduled")
    assert query(container, "SELECT count(*) FROM refunds")[0][0] == 0
    assert events(container, "payment_refunded") == [] and journal(container) == []


def test_a_bank_payment_is_refunded_only_once_the_bank_can_no_longer_return_it(start_payments):
    container = start_payments()
    payment = paid(container, 2000, BANK)
    with pytest.raises(Refused):  # pending: not taken yet
        refund(container, payment["id"], 100, "bank-1")
    today = date.today()
    call(container, "run_payments", today.isoformat())  # settles it
    with pytest.raises(Refused) as refused:  # settled, but the bank may still send it back
        refund(container, payment["id"], 100, "bank-2")
    assert "return" in refused.value.detail
    call(container, "run_payments", (today + timedelta(days=1)).isoformat())  # checks returns
    assert refund(container, payment["id"], 2000, "bank-3")["status"] == "succeeded"


def over_rpc(vhost, payment_id, amount, key):
    """A real RPC with its own reply (nameko's entrypoint_hook cannot tell concurrent calls of
    one method apart): the refund's status, or "refused"."""
    with ServiceRpcProxy("payments", {"AMQP_URI": vhost[1]}) as payments:
        try:
            return payments.refund_payment(ACCOUNT, payment_id,
                                           {"amount_cents": amount, **WHY}, key)
        except Refused:  # domain errors arrive as themselves
            return {"status": "refused"}


def test_concurrent_refunds_of_one_payment_never_give_back_more_than_it_took(start_payments,
                                                                            vhost):
    container = start_payments()
    payment = paid(container, 1000)
    outcomes = sorted(r["status"] for r in eventlet.GreenPool().imap(
        lambda i: over_rpc(vhost, payment["id"], 400, f"race-{i}"), range(6)))
    assert outcomes == ["refused"] * 4 + ["succeeded"] * 2  # 2 x $4.00 <= $10.00 < 3 x
    assert query(container, "SELECT refunded_cents FROM payments")[0][0] == 800
    assert query(container, "SELECT count(*) FROM refunds")[0][0] == 2
    assert sum(r["amount_cents"] for r in journal(container)) == 800
    assert len(events(container, "payment_refunded")) == 2


def test_concurrent_requests_with_one_key_make_one_refund(start_payments, vhost):
    container = start_payments()
    payment = paid(container, 1000)
    results = list(eventlet.GreenPool().imap(
        lambda _: over_rpc(vhost, payment["id"], 700, "one-key"), range(5)))
    assert len({r["id"] for r in results}) == 1
    assert query(container, "SELECT refunded_cents FROM payments")[0][0] == 700
    assert len(journal(container)) == 1 and len(events(container, "payment_refunded")) == 1


def refunds_then_raises(container, error):
    """The processor refunds, then the line drops (or the process dies) before the answer."""
    adapter = get_extension(container, PaymentProcessor).adapter
    original = adapter.refund

    def refund_(**kwargs):
        original(**kwargs)
        raise error
    return mock.patch.object(adapter, "refund", refund_)


def test_a_refund_cut_short_by_a_crash_is_finished_under_its_key_and_given_back_once(
        start_payments):
    container = start_payments()
    payment = paid(container, 1000)
    with refunds_then_raises(container, RuntimeError("killed before recording the refund")):
        with pytest.raises(Exception):
            refund(container, payment["id"], 250, "crash")
    assert query(container, "SELECT status FROM refunds")[0][0] == "pending"
    assert query(container, "SELECT refunded_cents FROM payments")[0][0] == 250  # held
    with pytest.raises(Conflict):  # a moment later the first request may still be running
        refund(container, payment["id"], 250, "crash")
    age_refunds(container)  # its request died a while ago
    again = refund(container, payment["id"], 250, "crash")
    assert again["status"] == "succeeded"
    assert refund(container, payment["id"], 250, "crash") == again
    [given] = journal(container)
    assert (given["asked"], given["amount_cents"]) == (2, 250)  # asked twice, given once
    assert len(events(container, "payment_refunded")) == 1


def test_a_refund_whose_answer_was_lost_is_finished_by_the_payment_run(start_payments):
    container = start_payments()
    payment = paid(container, 1000)
    with refunds_then_raises(container, ProcessorUnavailable("connection reset")):
        first = refund(container, payment["id"], 500, "lost")
    assert first["status"] == "pending" and events(container, "payment_refunded") == []
    age_refunds(container)
    call(container, "run_payments", date.today().isoformat())
    assert query(container, "SELECT status FROM refunds")[0][0] == "succeeded"
    assert refund(container, payment["id"], 500, "lost")["status"] == "succeeded"
    [given] = journal(container)
    assert given["asked"] == 2 and len(events(container, "payment_refunded")) == 1


def test_a_refund_the_processor_refuses_gives_the_amount_back_to_what_is_left(start_payments):
    container = start_payments()
    payment = paid(container, 1000)
    adapter = get_extension(container, PaymentProcessor).adapter
    # the processor's own view is stricter (e.g. a refund made on its dashboard)
    adapter.refund(reference=query(container, "SELECT processor_ref FROM payments")[0][0],
                   amount_cents=900, idempotency_key="outside-bizportal")
    refused = refund(container, payment["id"], 500, "refused")
    assert refused["status"] == "failed" and refused["failure_reason"]
    assert query(container, "SELECT refunded_cents FROM payments")[0][0] == 0
    assert events(container, "payment_refunded") == []
    assert refund(container, payment["id"], 100, "fits")["status"] == "succeeded"
