"""billing's dispute entrypoints (a mixin of BillingService): customers dispute a statement
line and list their disputes; staff list every account's and resolve one (billing/disputes.py;
a credited dispute posts its credit through billing/credits.py in the same transaction)."""
from sqlalchemy.exc import IntegrityError

from services.billing import disputes
from services.contracts.errors import Conflict, InvalidInput, NotFound, Refused
from services.runtime.entrypoints import rpc  # not nameko.rpc's: a quorum RPC queue


class DisputesMixin:
    """Needs ``db`` on the service class."""

    @rpc(expected_exceptions=(InvalidInput, NotFound, Refused, Conflict))
    def open_dispute(self, account_number, invoice_number, request, actor=None):
        """Disputes one line of the account's statement ``{line_id, amount_cents (at most
        the line's), reason}`` (``actor``: contracts.actor, who disputes). Returns the dispute
        (contracts.disputes.Dispute, ``status: open``). Raises InvalidInput, NotFound
        (account, statement, a line not on it), Refused (above the line's amount, a line of
        nothing), Conflict (the line already has an open dispute). Emits
        ``billing.dispute_opened``."""
        try:
            with self.db.transaction() as tx:
                return disputes.open_dispute(tx, account_number, invoice_number, request, actor)
        except IntegrityError:  # another request opened one on that line meanwhile
            raise Conflict(disputes.ONE_OPEN) from None

    @rpc(expected_exceptions=(InvalidInput, NotFound))
    def list_disputes(self, account_number, limit=20, cursor=None, invoice_number=None):
        """Returns ``{items: [dispute], next_cursor}``: the account's disputes newest first
        (of one statement with ``invoice_number``). Raises NotFound, InvalidInput."""
        with self.db.transaction() as tx:
            return disputes.account_disputes(tx.session, account_number, limit, cursor,
                                             invoice_number)

    @rpc(expected_exceptions=InvalidInput)
    def list_all_disputes(self, status=None, limit=20, cursor=None):
        """Staff: ``{items: [dispute], next_cursor}`` over every account, newest first, of one
        ``status`` (open | credited | rejected) or all. Raises InvalidInput."""
        with self.db.transaction() as tx:
            return disputes.staff_disputes(tx.session, status, limit, cursor)

    @rpc(expected_exceptions=(InvalidInput, NotFound, Refused, Conflict))
    def resolve_dispute(self, dispute_id, request, actor=None):
        """Staff: ``{outcome: credited|rejected, amount_cents?, note}`` for an open dispute;
        credited posts a credit (the whole disputed amount unless ``amount_cents`` says
        less). Returns the dispute. Raises InvalidInput, NotFound, Refused (above the
        disputed amount), Conflict (already resolved). Emits ``billing.dispute_resolved``
        and, when credited, ``billing.credit_issued``."""
        with self.db.transaction() as tx:
            return disputes.resolve(tx, dispute_id, request, actor)
