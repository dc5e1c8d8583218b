"""The billing nameko service: thin entrypoints over billing's domain modules."""
import base64
import logging
from datetime import date

from nameko.dependency_providers import Config
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue
from nameko.timer import timer

from services.billing import (accounts, bill_runs, calls_csv, catalogue, closure, collections,
                              credits, ledger, overview, pdf_sandbox, print_batch, profile,
                              queries, search, usage, usage_alerts)
from services.billing.service_delivery import InvoiceDeliveryMixin
from services.billing.service_disputes import DisputesMixin
from services.billing.service_fraud import FraudGuardMixin
from services.billing.service_insight import InsightMixin
from services.billing.service_services import AccountServicesMixin
from services.billing.service_usage_alerts import UsageAlertsMixin
from services.billing.models import metadata
from services.contracts import paging
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused, Unavailable
from services.runtime.handlers import reliable_handler
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.rpc import TimedRpcProxy
from services.runtime.service_dead_letters import DeadLettersMixin
from services.runtime.service_health import HealthMixin
from services.runtime.sealing import key_encryption_key
from services.runtime.config import Settings

log = logging.getLogger(__name__)
CYCLE_TIMER_SECONDS = 3600  # the daily cycle is idempotent, so checking hourly is harmless
# the activity and a statement's calls are answered in one piece, not paged: this many rows
UNPAGED = {"default": 200, "maximum": 1000}


class BillingService(HealthMixin, DeadLettersMixin, InvoiceDeliveryMixin, DisputesMixin,
                     AccountServicesMixin, InsightMixin, UsageAlertsMixin, FraudGuardMixin):
    name = "billing"

    db = Database(metadata)
    log_context = LogContext()
    config = Config()
    notifications_rpc = TimedRpcProxy("notifications")  # mail carrying a secret: never events
    payments_rpc = TimedRpcProxy("payments")  # what a closure can refund

    @rpc
    def list_products(self):
        """Returns the catalogue: ``[{code, name, section, monthly_cents}]``."""
        return [p.public() for p in catalogue.PRODUCTS]

    @rpc(expected_exceptions=InvalidInput)
    def open_account(self, request):
        """Opens a business account from a staff request (contracts.billing.OpenAccountRequest).

        Returns ``{account_number, security_key}``; the key is never returned again.
        Raises InvalidInput with field errors. Emits ``billing.account_opened``.
        """
        data = accounts.load_request(request)
        with self.db.transaction() as tx:
            account, key = accounts.open_account(tx.session, data, self._kek())
            tx.emit("account_opened", accounts.opened_event(account))
        return {"account_number": account.account_number, "security_key": key}

    @rpc(expected_exceptions=NotFound)
    def reissue_security_key(self, account_number):
        """Replaces the account's security key (staff); the old one stops matching at once and
        the next statement prints the new one. Returns ``{account_number, security_key}``; the
        key is never returned again. Raises NotFound. Emits ``billing.security_key_reissued``
        (the account number only)."""
        with self.db.transaction() as tx:
            account, key = accounts.reissue_key(tx.session, account_number, self._kek())
            tx.emit("security_key_reissued", {"account_number": account.account_number})
        return {"account_number": account.account_number, "security_key": key}

    def _kek(self):
        return key_encryption_key(self.config)

    # --- the staff desk ---

    @rpc(expected_exceptions=InvalidInput)
    def search_accounts(self, q, limit=20, cursor=None):
        """Finds accounts by account or invoice number, company name (prefix,
        case-insensitive), email or phone (billing/search.py). Returns ``{items:
        [{account_number, company_name, email, phone, status, balance_cents}], next_cursor}``.
        Raises InvalidInput (``q`` empty, over 100 characters or with control characters; a
        bad ``limit`` or ``cursor``)."""
        with self.db.transaction() as tx:
            return search.find(tx.session, q, limit, cursor)

    @rpc(expected_exceptions=NotFound)
    def get_account_overview(self, account_number):
        """Billing's part of the staff overview (billing/overview.py): ``{account_number,
        status, profile, invoice_delivery, bill_cycle_day, opened_on, services,
        balance_cents, amount_due_cents, past_due_cents, currency, statements}``.
        Raises NotFound."""
        with self.db.transaction() as tx:
            return overview.account_overview(tx.session, account_number)

    @rpc(expected_exceptions=(InvalidInput, NotFound, Refused, Conflict))
    def issue_credit(self, account_number, request, idempotency_key, actor=None):
        """Credits the account (staff) ``{amount_cents (1-10,000,000), reason,
        invoice_number?}`` under ``idempotency_key``: one ledger entry of kind ``credit`` and
        its credit note (billing/credits.py). Returns the credit note (contracts.credits
        .CreditNote); the same key and body again return the first one. Raises InvalidInput
        (fields, no key), NotFound (account), Refused (an invoice not the account's),
        Conflict (the key with another body). Emits ``billing.credit_issued``, and
        ``billing.account_restored`` when it covers a suspended account's past-due amount."""
        return credits.issue(self.db, account_number, request, idempotency_key, actor)

    @rpc(expected_exceptions=(InvalidInput, NotFound, Refused, Conflict, Unavailable))
    def close_account(self, account_number, request, idempotency_key, actor=None):
        """Closes the account (staff) ``{effective_date, reason}`` under ``idempotency_key``
        (billing/closure.py): services end that day (prorated), the final statement is
        issued, the status is ``closed``. Returns the closure (contracts.closure.Closure);
        closing again with the same date and reason answers the first closure. Raises
        InvalidInput, NotFound, Refused (a date outside the open period), Conflict (closed
        otherwise, or the key with another body), Unavailable (payments did not say what it
        can refund: nothing changed). Emits ``billing.services_changed``,
        ``billing.statement_issued``, ``billing.account_closed``."""
        data = closure.load_request(request)
        refundable = self.payments_rpc.get_refundable(str(account_number))
        return closure.close(self.db, account_number, data, idempotency_key,
                             refundable["refundable_cents"], actor)

    @rpc
    def verify_account_key(self, account_number, security_key):
        """True when the key printed on that account's invoice matches; same time if unknown."""
        with self.db.transaction() as tx:
            return accounts.account_key_matches(tx.session, account_number, security_key)

    # --- usage and bill runs (staff) ---

    @rpc(expected_exceptions=(InvalidInput, NotFound, Refused))
    def load_usage(self, account_number, request):
        """Loads call detail records ``{calls: [...]}`` for an account, all or nothing.

        Returns ``{accepted, duplicates}`` (calls stored, calls already loaded). Raises
        InvalidInput (field errors by call index), NotFound (unknown account) or Refused (a
        closed account). Emits ``billing.usage_threshold_crossed`` for each usage alert the
        load raises. A load that stored new calls is scored by the toll-fraud guard in the
        same transaction (service_fraud.py): a suspicious one emits ``billing.fraud_suspected``.
        """
        rows = usage.validate(request)
        with self.db.transaction() as tx:
            accepted, duplicates = usage.load(tx.session, account_number, rows)
            usage_alerts.review(tx, account_number, accepted)
            if accepted:
                self._guard_load(tx, account_number, rows)
        return {"accepted": accepted, "duplicates": duplicates}

    @rpc(expected_exceptions=InvalidInput)
    def issue_statements(self, request):
        """Runs the billing cycle ``{statement_date, account_numbers?}``.

        Returns ``{statements_issued}``: 0 when that date was already billed. Raises
        InvalidInput. Emits ``billing.statement_issued`` per statement.
        """
        data = bill_runs.load_request(request)
        issued = bill_runs.run(self.db, data["statement_date"], data["account_numbers"])
        return {"statements_issued": issued}

    @timer(interval=CYCLE_TIMER_SECONDS)
    def run_daily_cycle(self):
        """Bills today's cycle, assesses today's late fees (``billing.late_fee_assessed``
        for each) and runs today's collections (``run_collections``); all safe to repeat."""
        today = clock.today()
        issued = bill_runs.run(self.db, today)
        with self.db.transaction() as tx:
            fees_assessed = ledger.assess_late_fees(tx, today)
        collected = collections.run(self.db, today, self._suspend_after())
        if issued or fees_assessed or any(collected.values()):
            log.info("daily cycle %s: %d statements, %d late fees, collections %s", today,
                     issued, fees_assessed, collected)

    @rpc(expected_exceptions=InvalidInput)
    def run_collections(self, request):
        """The collections run (billing/collections.py) for ``{run_date, account_numbers?}``,
        what the daily cycle does for today: reminds the payers of accounts 1, 7 and 14 days
        past due, suspends those SUSPEND_AFTER_DAYS past due, restores suspended accounts
        nothing is past due on. Each reminder and each change once, however often it runs.
        Returns ``{reminders_sent, suspended, restored}``. Raises InvalidInput. Emits
        ``billing.payment_overdue``, ``billing.account_suspended``,
        ``billing.account_restored``."""
        data = collections.load_request(request)
        return collections.run(self.db, data["run_date"], self._suspend_after(),
                               data["account_numbers"])

    def _suspend_after(self):
        return int(self.config.get("SUSPEND_AFTER_DAYS") or Settings.suspend_after_days)

    # --- payments -> ledger ---

    @reliable_handler("payments", "payment_succeeded")
    def on_payment_succeeded(self, event):
        """Credits the payment to the ledger once per event (and once per payment id); a
        suspended account whose past-due amount it covers is restored in the same
        transaction. Emits ``billing.payment_applied`` (and ``billing.account_restored``)."""
        with self.db.apply_once(event, "billing.on_payment_succeeded") as tx:
            if tx is not None and ledger.apply_payment(tx, event["data"]):
                collections.review_number(tx, event["data"]["account_number"], clock.today(),
                                          self._suspend_after(),
                                          payment_id=event["data"]["payment_id"])

    @reliable_handler("payments", "payment_returned")
    def on_payment_returned(self, event):
        """Reverses a returned payment and charges the returned-payment fee, once; an
        account that is then SUSPEND_AFTER_DAYS past due (the payment had restored it) is
        suspended again at once. Emits ``billing.account_suspended`` (cause
        ``payment_returned``) when it is."""
        with self.db.apply_once(event, "billing.on_payment_returned") as tx:
            if tx is not None and ledger.apply_return(tx, event["data"]):
                collections.review_number(tx, event["data"]["account_number"], clock.today(),
                                          self._suspend_after(), cause="payment_returned")

    @reliable_handler("payments", "payment_failed")
    def on_payment_failed(self, event):
        """An autopay that payments will try again (``retry_on``) does not count as unpaid
        until then: collections hold the account's reminders and suspension through that
        day. Other failures change nothing here. Emits nothing."""
        retry_on = event["data"].get("retry_on")
        if not retry_on:
            return
        with self.db.apply_once(event, "billing.on_payment_failed") as tx:
            if tx is not None:
                collections.hold_for_autopay_retry(tx.session, event["data"]["account_number"],
                                                   date.fromisoformat(str(retry_on)))

    @reliable_handler("payments", "payment_refunded")
    def on_payment_refunded(self, event):
        """Puts a refund back on the balance (ledger kind ``refund``), once per event and
        once per refund id."""
        with self.db.apply_once(event, "billing.on_payment_refunded") as tx:
            if tx is not None:
                ledger.apply_refund(tx, event["data"])

    # --- queries for the gateway ---

    @rpc(expected_exceptions=NotFound)
    def get_account_summary(self, account_number):
        """Returns ``{account_number, company_name, amount_due_cents, currency, due_date,
        invoice_number, past_due_cents, last_payment, invoice_delivery, balance_cents}``.
        Raises NotFound."""
        with self.db.transaction() as tx:
            return queries.summary(tx.session, account_number)

    @rpc(expected_exceptions=NotFound)
    def get_payment_allowance(self, account_number, payment_ids=None):
        """The most one payment may be (payments asks before charging): ``{account_number,
        balance_cents, amount_due_cents, ahead_cents, max_payment_cents, currency,
        applied_payment_ids}`` where ``max_payment_cents`` is the balance plus the largest
        amount due of the last three statements (a month paid ahead), never below 0, and
        ``applied_payment_ids`` those of ``payment_ids`` the balance already credits.
        Raises NotFound."""
        with self.db.transaction() as tx:
            return queries.payment_allowance(tx.session, account_number, payment_ids)

    @rpc
    def get_company_names(self, account_numbers):
        """Returns ``{account_number: company_name}`` for the numbers that exist."""
        with self.db.transaction() as tx:
            return queries.company_names(tx.session, account_numbers)

    @rpc
    def get_account_summaries(self, account_numbers):
        """What each account owes and by when, for a list of accounts in one call (the
        gateway's account list: never one RPC per account). Takes ``[account_number]`` (at
        most 1,000 are read). Returns ``{account_number: {account_number, company_name,
        amount_due_cents, currency, due_date}}`` for the numbers that exist (unknown ones are
        left out). Raises nothing; emits nothing."""
        with self.db.transaction() as tx:
            return queries.account_summaries(tx.session, account_numbers)

    @rpc(expected_exceptions=(Refused, NotFound, InvalidInput))
    def list_statements(self, account_number, limit=20, cursor=None):
        """Returns ``{items: [statement], next_cursor}``, newest first. Raises NotFound,
        InvalidInput (a bad ``limit`` or ``cursor``)."""
        with self.db.transaction() as tx:
            queries.readable(tx.session, account_number)  # Refused: closed, read-only over
            return queries.statements(tx.session, account_number, limit, cursor)

    @rpc(expected_exceptions=(NotFound, Refused))
    def get_statement(self, account_number, invoice_number):
        """Returns a statement with ``sections`` (lines add up to new charges). Raises NotFound."""
        with self.db.transaction() as tx:
            queries.readable(tx.session, account_number)  # Refused: closed, read-only over
            return queries.statement_detail(tx.session, account_number, invoice_number)

    @rpc(expected_exceptions=(Refused, NotFound, InvalidInput))
    def get_statement_calls(self, account_number, invoice_number, limit=None):
        """Returns the first ``limit`` (default 200, at most 1000) calls of the statement's
        period. Raises NotFound, InvalidInput (a bad ``limit``)."""
        limit = paging.checked_limit(limit, **UNPAGED)
        with self.db.transaction() as tx:
            queries.readable(tx.session, account_number)  # Refused: closed, read-only over
            found, statement = queries.statement_row(tx.session, account_number, invoice_number)
            return calls_csv.recent(tx.session, found.id, statement, limit)

    @rpc(expected_exceptions=(Refused, NotFound, Unavailable))
    def get_statement_pdf(self, account_number, invoice_number):
        """Returns the printable statement as base64 PDF bytes, rendered in a bounded child
        process (pdf_sandbox). Raises NotFound, Unavailable (the PDF could not be made within
        its memory and time budget: logged; this statement only)."""
        with self.db.transaction() as tx:
            queries.readable(tx.session, account_number)  # Refused: closed, read-only over
            detail = queries.printable_statement(tx.session, account_number, invoice_number,
                                                 self._kek(), queries.remit_to(self.config))
        try:
            document = pdf_sandbox.render(detail)
        except pdf_sandbox.RenderFailed:
            raise Unavailable("The PDF of this statement cannot be made right now. Try again "
                              "later, or call support for a printed copy.") from None
        return base64.b64encode(document).decode()

    @rpc(expected_exceptions=(Refused, NotFound, InvalidInput))
    def get_calls_csv_page(self, account_number, invoice_number, cursor=None):
        """Returns ``{csv, cursor}``: one page of the statement period's calls as CSV text
        (header on the first page); ``cursor`` None at the end. Raises NotFound."""
        with self.db.transaction() as tx:
            queries.readable(tx.session, account_number)  # Refused: closed, read-only over
            return calls_csv.page(tx.session, account_number, invoice_number, cursor)

    @rpc(expected_exceptions=(Refused, NotFound, InvalidInput))
    def get_activity(self, account_number, limit=None):
        """Returns ``{items: [{date, kind, description, amount_cents, balance_cents}]}``, the
        latest ``limit`` (default 200, at most 1000) entries newest first, each with the
        balance after it. Raises NotFound, InvalidInput (a bad ``limit``)."""
        limit = paging.checked_limit(limit, **UNPAGED)
        with self.db.transaction() as tx:
            queries.readable(tx.session, account_number)  # Refused: closed, read-only over
            found = queries.account(tx.session, account_number)
            return {"items": ledger.activity(tx.session, found.id, limit)}

    # --- company profile and invoice delivery ---

    @rpc(expected_exceptions=NotFound)
    def get_profile(self, account_number):
        """Returns ``{account_number, company_name, contact_name, email, phone,
        billing_address: {line1, line2, city, state, postal_code}}``. Raises NotFound."""
        with self.db.transaction() as tx:
            return profile.get_profile(tx.session, account_number)

    @rpc(expected_exceptions=(NotFound, InvalidInput))
    def update_profile(self, account_number, changes, actor=None):
        """Changes any profile fields (``actor``: contracts.actor, for the audit trail);
        returns the profile. Raises InvalidInput (nothing changed), NotFound. Emits
        ``billing.profile_changed`` when a field changed."""
        with self.db.transaction() as tx:
            found, changed = profile.update_profile(tx.session, account_number, changes)
            if changed:
                tx.emit("profile_changed", profile.changed_event(account_number, changed, actor))
            return found

    @reliable_handler("billing", "statement_issued")
    def on_statement_issued(self, event):
        """Adds a paper account's statement PDF to DATA_DIR/print-batch/<date>/ (once: the
        file is kept). Paperless statements are emailed by notifications instead. A PDF that
        cannot be made within its budget raises (logged): this event is retried, then parked
        for replay, and every other statement's event goes on."""
        data = event["data"]
        with self.db.transaction() as tx:
            method = data.get("invoice_delivery") or \
                profile.delivery_method(tx.session, data["account_number"])
            if method != "paper":
                return
            detail = queries.printable_statement(tx.session, data["account_number"],
                                                 data["invoice_number"], self._kek(),
                                                 queries.remit_to(self.config))
        print_batch.add(self.config["DATA_DIR"], detail)
