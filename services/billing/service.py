"""The billing nameko service: thin entrypoints over billing's domain modules."""
from nameko.rpc import rpc

from services.billing import accounts, catalogue
from services.billing.models import metadata
from services.contracts.errors import InvalidInput
from services.runtime.context import LogContext
from services.runtime.database import Database
from services.runtime.health import HealthMixin


class BillingService(HealthMixin):
    name = "billing"

    db = Database(metadata)
    log_context = LogContext()

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
            account, key = accounts.open_account(tx.session, data)
            tx.emit("account_opened", accounts.opened_event(account))
        return {"account_number": account.account_number, "security_key": key}

    @rpc
    def verify_account_key(self, account_number, security_key):
        """True when the key printed on that account's invoice matches; same time if unknown."""
        with self.db.transaction() as tx:
            return accounts.account_key_matches(tx.session, account_number, security_key)
