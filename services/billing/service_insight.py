"""billing's entrypoints for insight into the bill (a mixin of BillingService): the month so
far (current_usage.py) and why a bill changed (statement_changes.py)."""
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue

from services.billing import current_usage, statement_changes
from services.contracts.errors import NotFound


class InsightMixin:
    """Needs ``db`` on the service class."""

    @rpc(expected_exceptions=NotFound)
    def get_current_usage(self, account_number):
        """The month so far: the account's next statement as the bill run would issue it now
        (contracts.insight.CurrentUsage: usage by call type and by day, services, taxes and
        the estimated total). Writes nothing; emits nothing. Raises NotFound."""
        with self.db.transaction() as tx:
            return current_usage.estimate(tx.session, account_number)

    @rpc(expected_exceptions=NotFound)
    def get_statement_changes(self, account_number, invoice_number):
        """Why the statement's total differs from the previous statement's
        (contracts.insight.StatementChanges: reasons adding up to ``change_cents``; none on
        the first statement). Raises NotFound (account or statement)."""
        with self.db.transaction() as tx:
            return statement_changes.changes(tx.session, account_number, invoice_number)
