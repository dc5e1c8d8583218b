"""billing's invoice-delivery entrypoints (a mixin of BillingService): paper or paperless,
and where paperless bills go, which changes only once the link mailed to a new address is
followed (paperless.py). Sending that link is throttled per recipient and per account."""
from services.runtime import clock
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue

from services.billing import mail_throttle, paperless, profile
from services.billing.queries import account
from services.contracts import actor as contract_actor
from services.contracts.errors import InvalidInput, NotFound, Refused, Throttled



class InvoiceDeliveryMixin:
    """Needs ``db``, ``config`` and ``notifications_rpc`` on the service class."""

    @rpc(expected_exceptions=NotFound)
    def get_invoice_delivery(self, account_number):
        """Returns ``{method: paperless|paper, email, pending_email}`` (``pending_email``: a
        new address waiting for its link, or None). Raises NotFound."""
        with self.db.transaction() as tx:
            return profile.get_delivery(tx.session, account_number, clock.now())

    @rpc(expected_exceptions=(NotFound, InvalidInput, Throttled))
    def set_invoice_delivery(self, account_number, request, actor=None):
        """Takes ``{method, email?}`` (``actor``: contracts.actor, whoever the gateway
        checked the password of for a new address); returns ``{method, email,
        pending_email}``. A new ``email`` changes nothing yet: a single-use link (24 hours)
        is mailed to it, and once followed the method and address apply. Raises InvalidInput
        (nothing changed), Throttled (too many links for that address or account this hour),
        NotFound. Emits ``billing.invoice_delivery_changed`` on an immediate change."""
        at, token = clock.now(), None
        with self.db.transaction() as tx:
            delivery, changed, new_email = profile.set_delivery(
                tx.session, account_number, request, at)
            if new_email:  # reserved with the request itself: no burst slips past
                mail_throttle.reserve(tx.session, [("verify_recipient", new_email),
                                                   ("verify_account", account_number)], at)
                token = paperless.start(tx.session, account_number, new_email,
                                        (request or {}).get("method"),
                                        (actor or {}).get("user_id"), at)
                company_name = account(tx.session, account_number).company_name
            if changed:
                tx.emit("invoice_delivery_changed",
                        profile.delivery_event(account_number, delivery, actor))
        if token:  # the secret goes by RPC to the new address only, never on an event
            self.notifications_rpc.send_email.call_async(
                to=new_email, category="security", template="invoice_email_verify",
                context={"link": paperless.link(self.config["PUBLIC_URL"], token),
                         "company_name": company_name,
                         "hours": int(paperless.VERIFY_LIFETIME.total_seconds() // 3600)},
                account_number=account_number, secret_keys=["link"])
        return delivery

    @rpc(expected_exceptions=Refused)
    def confirm_invoice_email(self, token, actor=None):
        """Applies a paperless address with the token of the link mailed to it (single
        use); ``actor`` (contracts.actor) is whoever followed the link, from where. Returns
        ``{account_number, method, email}``. Raises Refused (unknown, used, superseded,
        expired). Emits ``billing.invoice_delivery_changed`` (its actor: who asked for the
        address; its ip: where the link was followed)."""
        with self.db.transaction() as tx:
            number, delivery, requested_by = profile.verify_delivery(tx.session, token, clock.now())
            tx.emit("invoice_delivery_changed", profile.delivery_event(
                number, delivery, dict(contract_actor.of(actor), user_id=requested_by)))
        return dict(delivery, account_number=number)
