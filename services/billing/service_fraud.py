"""billing's toll-fraud entrypoints (a mixin of BillingService): the guard's hook into each
usage load, the account's alerts and international-calling block, staff's list of cases
(billing/fraud_cases.py; the scoring itself is billing/fraud_rules.py)."""
from services.billing import fraud_cases
from services.contracts.errors import InvalidInput, NotFound
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue


class FraudGuardMixin:
    """Needs ``db`` and ``config`` on the service class."""

    def _guard_load(self, tx, account_number, rows):
        """Called by load_usage in the load's transaction once it stored new calls."""
        settings = fraud_cases.GuardSettings.of(self.config.get("FRAUD_GUARD"),
                                                self.config.get("FRAUD_HIGH_COST_PREFIXES"))
        return fraud_cases.guard_load(tx, account_number, rows, settings)

    @rpc(expected_exceptions=(InvalidInput, NotFound))
    def list_fraud_alerts(self, account_number, status=None, limit=20, cursor=None):
        """Returns ``{items: [case], next_cursor}`` (contracts.fraud.FraudCase): the
        account's fraud alerts newest first, of one ``status`` (open | expected) or all.
        Raises NotFound, InvalidInput."""
        with self.db.transaction() as tx:
            return fraud_cases.account_alerts(tx.session, account_number, status, limit,
                                              cursor)

    @rpc(expected_exceptions=NotFound)
    def mark_fraud_alert_expected(self, account_number, case_id, actor=None):
        """An admin says the alert's calls were theirs; returns the case (``status:
        expected``; the same again changes nothing). Raises NotFound. Emits
        ``billing.fraud_case_marked_expected``."""
        with self.db.transaction() as tx:
            return fraud_cases.mark_expected(tx, account_number, case_id, actor)

    @rpc(expected_exceptions=NotFound)
    def get_international_calling(self, account_number):
        """Returns ``{account_number, blocked, changed_at}``. Raises NotFound."""
        with self.db.transaction() as tx:
            return fraud_cases.international_calling(tx.session, account_number)

    @rpc(expected_exceptions=(InvalidInput, NotFound))
    def set_international_calling(self, account_number, blocked, actor=None):
        """Blocks or allows international calling (``blocked``: a bool); returns the new
        state. Raises InvalidInput (not a bool), NotFound. Emits
        ``billing.international_calling_changed`` when it changes."""
        if not isinstance(blocked, bool):
            raise InvalidInput({"blocked": ["true or false."]})
        with self.db.transaction() as tx:
            return fraud_cases.set_international_calling(tx, account_number, blocked, actor)

    @rpc(expected_exceptions=InvalidInput)
    def list_fraud_cases(self, status=None, limit=20, cursor=None):
        """Staff: ``{items: [case], next_cursor}`` over every account, newest first, of one
        ``status`` (open | expected) or all. Raises InvalidInput."""
        with self.db.transaction() as tx:
            return fraud_cases.staff_cases(tx.session, status, limit, cursor)
