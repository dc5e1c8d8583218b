"""The payments nameko service: thin entrypoints over payments' domain modules."""
from datetime import date

from nameko.dependency_providers import Config
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue
from nameko.timer import timer

from services.contracts import actor as contract_actor
from services.contracts.errors import (Conflict, InvalidInput, NotFound, Refused, Throttled,
                                       Unavailable)
from services.payments import (autopay, carding, closure, lifecycle, limits, methods,
                               offboarding, payment_requests, refunds, runs, security)
from services.payments.models import metadata
from services.payments.processor_dependency import PaymentProcessor
from services.runtime.rpc import TimedRpcProxy
from services.runtime.config import Settings
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.handlers import reliable_handler
from services.runtime.service_dead_letters import DeadLettersMixin
from services.runtime.service_health import HealthMixin

ERRORS = (InvalidInput, NotFound, Conflict, Refused, Throttled, Unavailable)


class PaymentsService(HealthMixin, DeadLettersMixin):
    name = "payments"

    db = Database(metadata)
    log_context = LogContext()
    config = Config()
    identity_rpc = TimedRpcProxy("identity")
    billing_rpc = TimedRpcProxy("billing")
    processor = PaymentProcessor()

    # -- payment methods -------------------------------------------------------------------

    @rpc(expected_exceptions=ERRORS)
    def add_payment_method(self, account_number, request, actor=None):
        """Takes a card or bank account request (contracts.payments); tokenises it with the
        processor and keeps token, brand/bank, last4, expiry. Returns the method.
        Raises InvalidInput (400), Refused (processor decline, 422). ``actor``
        (contracts.actor) goes on the event (identity's audit trail).
        Emits ``payments.payment_method_added``."""
        data = methods.load_request(request)
        with self.db.transaction() as tx:  # counted before the processor answers (carding.py)
            carding.reserve_method_attempt(tx.session, account_number)
        with self.db.transaction() as tx:
            method = methods.add(tx.session, self.processor, account_number, data)
            tx.emit("payment_method_added", dict(methods.event(method), **_actor(actor)))
            return methods.public(method)

    @rpc
    def list_payment_methods(self, account_number):
        """Returns ``[method]`` of the account, oldest first."""
        with self.db.transaction() as tx:
            return [methods.public(m) for m in methods.listed(tx.session, account_number)]

    @rpc(expected_exceptions=ERRORS)
    def remove_payment_method(self, account_number, method_id, actor=None):
        """Removes a method and cancels its scheduled payments. Raises NotFound, Conflict
        (autopay uses it). Emits ``payments.payment_method_removed``."""
        with self.db.transaction() as tx:
            method = methods.remove(tx.session, account_number, method_id)
            lifecycle.cancel_for_method(tx.session, account_number, method_id)
            tx.emit("payment_method_removed", dict(methods.event(method), **_actor(actor)))

    # -- payments ----------------------------------------------------------------------------

    @rpc(expected_exceptions=ERRORS)
    def create_payment(self, account_number, request, idempotency_key, user_id=None):
        """Takes ``{amount_cents, payment_method_id, scheduled_for?, security_code?}`` and the
        Idempotency-Key. Returns the payment; a decline is a payment with status ``failed``.
        The same key and body return the first result. Raises InvalidInput, NotFound (method),
        Conflict (key reused with another body), Refused (wrong security code, or more than
        the account owes plus a month ahead: billing's ``get_payment_allowance``; nothing is
        written or charged), Throttled, Unavailable (billing did not answer).
        Emits ``payment_succeeded`` | ``payment_failed`` | ``payment_scheduled``."""
        return payment_requests.make_payment(
            self.db, self.processor, account_number, request, idempotency_key, user_id=user_id,
            check_security_code=lambda uid, code: security.check(self.identity_rpc, uid, code),
            payment_allowance=self._allowance)

    @rpc(expected_exceptions=InvalidInput)
    def list_payments(self, account_number, limit=20, cursor=None):
        """Returns ``{items: [payment], next_cursor}``, newest first. Raises InvalidInput (a
        bad ``limit`` or ``cursor``)."""
        with self.db.transaction() as tx:
            return lifecycle.listing(tx.session, account_number, limit, cursor)

    @rpc(expected_exceptions=ERRORS)
    def get_payment(self, account_number, payment_id):
        """Returns one payment of the account. Raises NotFound."""
        with self.db.transaction() as tx:
            payment = lifecycle.find(tx.session, account_number, payment_id)
            method = methods.find_any(tx.session, payment.payment_method_id)
            return lifecycle.public(payment, method)

    @rpc(expected_exceptions=ERRORS)
    def cancel_payment(self, account_number, payment_id):
        """Cancels a scheduled payment; returns it. Raises NotFound, Conflict (not scheduled)."""
        with self.db.transaction() as tx:
            payment = lifecycle.cancel(tx.session, account_number, payment_id)
            return lifecycle.public(payment, methods.find_any(tx.session,
                                                             payment.payment_method_id))

    @rpc(expected_exceptions=ERRORS)
    def refund_payment(self, account_number, payment_id, request, idempotency_key):
        """Staff give back ``{amount_cents, reason}`` of a succeeded payment (refunds.py),
        exactly once per Idempotency-Key. Returns the refund: ``succeeded``, ``failed`` (the
        processor refused) or ``pending`` (the processor could not say; the same key retried,
        or the next payment run, finishes it). Raises InvalidInput, NotFound (no such payment
        on the account), Conflict (key reused with another body, or still running), Refused
        (not a succeeded payment, a bank debit not yet past its return check, or more than is
        left of it). Emits ``payments.payment_refunded``."""
        return refunds.refund_payment(self.db, self.processor, account_number, payment_id,
                                      request, idempotency_key)

    # -- autopay -----------------------------------------------------------------------------

    @rpc
    def get_autopay(self, account_number):
        """Returns ``{enabled, payment_method_id, max_amount_cents, next_draft}`` (the next
        autopay payment: ``{payment_id, scheduled_for, amount_cents, invoice_number}`` or
        None) or None when never enrolled."""
        with self.db.transaction() as tx:
            return autopay.get(tx.session, account_number)

    @rpc(expected_exceptions=ERRORS)
    def set_autopay(self, account_number, request, actor=None):
        """Takes ``{payment_method_id, enabled, max_amount_cents?}`` (no cap when left out)
        and who sets it (``actor``: contracts.actor); returns the autopay setting (as
        ``get_autopay``). Raises InvalidInput, NotFound (method). Emits
        ``payments.autopay_changed``, and ``payments.autopay_skipped`` for a scheduled
        autopay payment the new cap is under (it is canceled)."""
        with self.db.transaction() as tx:
            row, skipped = autopay.enrol(tx.session, account_number, request,
                                         _user_id(actor))
            tx.emit("autopay_changed", dict(autopay.changed_event(account_number, row),
                                            **_actor(actor)))
            for data in skipped:
                tx.emit("autopay_skipped", data)
            return autopay.get(tx.session, account_number)

    @rpc(expected_exceptions=ERRORS)
    def cancel_autopay(self, account_number, actor=None):
        """Turns autopay off (``actor``: contracts.actor, who does). Raises NotFound. Emits
        ``payments.autopay_changed``."""
        with self.db.transaction() as tx:
            row = autopay.cancel(tx.session, account_number, _user_id(actor))
            tx.emit("autopay_changed", dict(autopay.changed_event(account_number, row),
                                            **_actor(actor)))

    @reliable_handler("billing", "statement_issued")
    def on_statement_issued(self, event):
        """Schedules the autopay payment of a new statement for its due date, once per event
        and once per invoice, unless the amount due is above autopay's cap. Emits
        ``payments.payment_scheduled`` (and ``payments.autopay_card_expiring`` when the card
        will have expired by then) or ``payments.autopay_skipped``."""
        with self.db.apply_once(event, "on_statement_issued") as tx:
            if tx is None:
                return
            for name, data in autopay.on_statement(tx.session, event["data"]):
                tx.emit(name, data)

    @reliable_handler("identity", "user_removed")
    def on_user_removed(self, event):
        """Cancels the scheduled payments the removed user set up on that account, once per
        event (offboarding.py). Emits ``payments.payment_canceled`` for each."""
        data = event["data"]
        with self.db.apply_once(event, "on_user_removed") as tx:
            if tx is not None:
                offboarding.cancel_for_removed_user(tx, data["account_number"],
                                                    data["user_id"])

    @rpc
    def get_refundable(self, account_number):
        """What refunds could give back on the account now (billing asks before a closure):
        ``{account_number, refundable_cents}``, 0 without a refundable payment."""
        with self.db.transaction() as tx:
            return {"account_number": account_number,
                    "refundable_cents": closure.refundable_cents(tx.session, account_number)}

    @reliable_handler("billing", "account_closed")
    def on_account_closed(self, event):
        """Turns autopay off, cancels the scheduled payments and refunds ``refund_cents`` of
        the credit balance to the newest refundable payments, once per event (closure.py);
        a redelivery finishes what a crash cut short and refunds nothing twice. Emits
        ``payments.payment_canceled``, ``payments.autopay_changed``,
        ``payments.payment_refunded``."""
        data = event["data"]
        with self.db.apply_once(event, "on_account_closed") as tx:
            if tx is not None:
                closure.wind_down(tx, data)
        with self.db.transaction() as tx:
            pending = closure.pending_refunds(tx.session, data)
        for refund_id in pending:
            refunds.finish(self.db, self.processor, refund_id)

    # -- payment runs ------------------------------------------------------------------------

    @rpc(expected_exceptions=ERRORS)
    def run_payments(self, run_date):
        """Takes a ``YYYY-MM-DD`` date; announces the autopay drafts of the next
        AUTOPAY_NOTICE_DAYS days, charges every scheduled payment due on or before it (each
        exactly once across replicas), settles bank debits, records returns.
        Returns ``{payments_attempted, settled, returned, autopay_notices}``. Emits payment
        events and ``payments.autopay_draft_announced``."""
        try:
            day = date.fromisoformat(run_date)
        except (TypeError, ValueError):
            raise InvalidInput({"run_date": ["A date, YYYY-MM-DD."]}) from None
        return runs.run(self.db, self.processor, day, self._allowance, self._still_a_user,
                        self._notice_days())

    @timer(interval=3600)
    def daily_payment_run(self):
        """Runs today's payments and pre-draft notices; hourly so a restart never skips a
        day (claims make repeat runs harmless)."""
        runs.run(self.db, self.processor, clock.today(), self._allowance,
                 self._still_a_user, self._notice_days())

    def _notice_days(self):
        return int(self.config.get("AUTOPAY_NOTICE_DAYS") or Settings.autopay_notice_days)

    def _allowance(self, account_number):
        """What billing says the account owes and the most one payment may be (autopay never
        pays more than is due; no payment more than the allowance, limits.py)."""
        # billing_rpc is a TimedRpcProxy: Unavailable after RPC_TIMEOUT; a payment run then
        # waits for the next run rather than charging blind, a new payment answers 503
        with self.db.transaction() as tx:
            recent = limits.recent_successes(tx.session, account_number)
        return self.billing_rpc.get_payment_allowance(account_number, recent)

    def _still_a_user(self, account_number, user_id):
        """Whether identity still counts ``user_id`` a user of the account (any role)."""
        return self.identity_rpc.get_account_role(user_id, account_number) is not None


def _actor(actor):
    """Who made a change and from where, as events say it (identity's audit trail records
    it)."""
    return contract_actor.event_fields(actor)


def _user_id(actor):
    return contract_actor.of(actor)["user_id"]
