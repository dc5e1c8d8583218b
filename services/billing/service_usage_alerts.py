"""billing's usage-alert entrypoints (a mixin of BillingService): an account's admins and
billing users read and set its thresholds and bill-shock warning (billing/usage_alerts.py;
the alerts themselves are raised by ``load_usage``)."""
from services.billing import usage_alerts
from services.contracts.errors import InvalidInput, NotFound
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue


class UsageAlertsMixin:
    """Needs ``db`` on the service class."""

    @rpc(expected_exceptions=NotFound)
    def get_usage_alerts(self, account_number):
        """Returns ``{thresholds_cents, bill_shock}`` (contracts.usage_alerts.UsageAlerts;
        no thresholds and bill shock on until set). Raises NotFound."""
        with self.db.transaction() as tx:
            return usage_alerts.get_settings(tx.session, account_number)

    @rpc(expected_exceptions=(InvalidInput, NotFound))
    def set_usage_alerts(self, account_number, request, actor=None):
        """Replaces the account's usage alerts ``{thresholds_cents: [1-10,000,000 cents, at
        most 10], bill_shock}`` (stored in increasing order, each amount once); returns them.
        Raises InvalidInput (nothing changed), NotFound. Emits nothing: an alert already
        raised this cycle stays raised."""
        with self.db.transaction() as tx:
            return usage_alerts.put_settings(tx.session, account_number, request,
                                             (actor or {}).get("user_id"))
