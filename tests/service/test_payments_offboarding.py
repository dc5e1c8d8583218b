"""Off-boarding in payments (issue 11, point 11), in a nameko container on a real broker and
database: ``identity.user_removed`` cancels the scheduled payments the removed user set up on
that account (nobody else's, no other account's, not autopay), once however often the event
is delivered, each with a ``payments.payment_canceled`` event for the admins' notice."""
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from tests.service.test_payments_service import (ACCOUNT, AFTER, CARD, OTHER, SOON, call,
                                                 events, query, start_payments)
from services.runtime import outbox

assert start_payments  # the fixture, used by name


def schedule(container, account, user_id, key, cents=700):
    method = call(container, "add_payment_method", account, CARD)
    return call(container, "create_payment", account,
                {"amount_cents": cents, "payment_method_id": method["id"],
                 "scheduled_for": SOON}, key, user_id=user_id)


def test_a_removed_users_scheduled_payments_are_canceled_once_and_others_stay(
        start_payments, vhost):
    container = start_payments()
    theirs = schedule(container, ACCOUNT, "u-leaver", "k1")
    also_theirs = schedule(container, ACCOUNT, "u-leaver", "k2", cents=900)
    someone_elses = schedule(container, ACCOUNT, "u-stays", "k3")
    other_account = schedule(container, OTHER, "u-leaver", "k4")
    removed = outbox.envelope("identity", "user_removed", {
        "account_number": ACCOUNT, "user_id": "u-leaver", "role": "billing"})
    dispatch = event_dispatcher({"AMQP_URI": vhost[1]})
    for _ in range(2):  # a redelivery changes nothing more
        with entrypoint_waiter(container, "on_user_removed", timeout=10):
            dispatch("identity", "user_removed", removed)

    status = dict(query(container, "SELECT id, status FROM payments"))
    assert status[theirs["id"]] == status[also_theirs["id"]] == "canceled"
    assert status[someone_elses["id"]] == status[other_account["id"]] == "scheduled"
    reason = call(container, "get_payment", ACCOUNT, theirs["id"])["failure_reason"]
    assert "removed from the account" in reason
    notices = events(container, "payment_canceled")
    assert sorted(n["payment_id"] for n in notices) == sorted([theirs["id"], also_theirs["id"]])
    assert {n["user_id"] for n in notices} == {"u-leaver"}
    assert {n["account_number"] for n in notices} == {ACCOUNT}
    call(container, "run_payments", AFTER)
    assert dict(query(container, "SELECT id, status FROM payments"))[theirs["id"]] == "canceled"
