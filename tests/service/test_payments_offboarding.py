"""Off-boarding in payments (issue 11, point 11), in a nameko container on a real broker and
database: ``identity.user_removed`` cancels the scheduled payments the removed user set up on
that account (nobody else's, no other account's, not autopay), once however often the event
is delivered, each with a ``payments.payment_canceled`` event for the admins' notice."""
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.runtime import outbox
from tests.support.payment_methods import CARD
from tests.support.payments_service import (ACCOUNT, AFTER, OTHER, SOON, FakeIdentity, call,
                                            events, query, start_payments)

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


class Directory(FakeIdentity):
    """identity's answer to "is this user still on the account?" (``gone``: not any more;
    an Exception: identity away)."""

    def __init__(self):
        super().__init__()
        self.gone = set()
        self.away = False

    def get_account_role(self, user_id, account_number):
        if self.away:
            raise RuntimeError("identity away")
        return None if user_id in self.gone else "billing"


def test_a_payment_run_cancels_a_scheduled_payment_whose_payer_is_no_longer_a_user(
        start_payments):
    """The run checks too: a payment scheduled while its payer was being removed (after the
    user_removed event was handled) is not charged."""
    directory = Directory()
    container = start_payments(identity=directory)
    theirs = schedule(container, ACCOUNT, "u-leaver", "k1")
    stays = schedule(container, ACCOUNT, "u-stays", "k2")
    directory.gone.add("u-leaver")
    directory.away = True  # identity does not answer: the run waits, charges nothing
    assert call(container, "run_payments", AFTER)["payments_attempted"] == 0
    assert call(container, "get_payment", ACCOUNT, theirs["id"])["status"] == "scheduled"
    directory.away = False
    call(container, "run_payments", AFTER)
    assert call(container, "get_payment", ACCOUNT, theirs["id"])["status"] == "canceled"
    assert call(container, "get_payment", ACCOUNT, stays["id"])["status"] == "succeeded"
    assert [n["payment_id"] for n in events(container, "payment_canceled")] == [theirs["id"]]
