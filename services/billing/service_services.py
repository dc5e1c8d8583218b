"""billing's entrypoints for an account's services (a mixin of BillingService): what it has,
and changing it with proration (service_changes.py), for staff and for its admins."""
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue

from services.billing import service_changes
from services.contracts.errors import InvalidInput, NotFound, Refused


class AccountServicesMixin:
    """Needs ``db`` on the service class."""

    @rpc(expected_exceptions=NotFound)
    def get_account_services(self, account_number):
        """Returns ``{account_number, items: [{code, name, section, quantity, monthly_cents,
        self_service}], monthly_cents, currency, self_service_products, next_statement_date}``.
        Raises NotFound."""
        with self.db.transaction() as tx:
            return service_changes.services(tx.session, account_number)

    @rpc(expected_exceptions=(NotFound, InvalidInput, Refused))
    def change_account_services(self, account_number, request, self_service=False, actor=None):
        """Takes ``{effective_date?, changes: [{code, quantity}], preview?}``; ``self_service``
        when an admin of the account asks (self-service products only, not dated in the
        past), ``actor`` (contracts.actor) who. Returns the prorated lines and the next
        statement's estimate (contracts.billing.ServiceChangeResult); a preview, or a
        request that changes no quantity, records nothing. Raises InvalidInput (fields,
        unknown or repeated codes), NotFound, Refused (a date in a billed period, after the
        next statement or before a recorded change; a product admins may not change).
        Emits ``billing.services_changed`` when a quantity changed."""
        data = service_changes.load_request(request)
        with self.db.transaction() as tx:
            answer, event = service_changes.change_services(
                tx.session, account_number, data, self_service=self_service, actor=actor)
            if event is not None:
                tx.emit("services_changed", event)
        return answer
