"""Staff: every account's disputes, and resolving one (a credit goes through the credit path:
billing/credits.py)."""
from flask import request

from gateway.actors import origin
from gateway.clients import billing
from gateway.staff import bp
from services.contracts.disputes import Dispute, DisputePage, ResolutionRequest, StaffDisputeQuery


@bp.get("/disputes")
@bp.arguments(StaffDisputeQuery, location="query")
@bp.response(200, DisputePage)
@bp.alt_response(400, description="An unknown status, a bad limit or cursor")
@bp.doc(operationId="listAllDisputes")
def list_all_disputes(query):
    """Disputes over every account

    Every account's disputes, newest first, of one ``status`` (``open``, ``credited``,
    ``rejected``) or all (``limit`` 1-100, ``cursor``)."""
    return billing.list_all_disputes(query["status"], query["limit"], query["cursor"])


@bp.post("/disputes/<dispute_id>/resolution")
@bp.arguments(ResolutionRequest)
@bp.response(200, Dispute)
@bp.alt_response(400, description="Invalid fields (an amount with a rejection, no note)")
@bp.alt_response(404, description="Unknown dispute")
@bp.alt_response(409, description="The dispute was already resolved")
@bp.alt_response(422, description="A credit above the disputed amount")
@bp.doc(operationId="resolveDispute")
def resolve_dispute(_validated, dispute_id):
    """Resolve a dispute

    Credit an open dispute (``outcome: credited``; ``amount_cents`` at most the disputed
    amount, the whole of it when left out: a ledger credit, as ``issueCredit`` makes) or
    reject it (``outcome: rejected``), with a ``note`` the customer reads. The account's
    admins and billing users get a message and a mail either way. A dispute is resolved
    once: a second resolution is a 409 and changes nothing. Emits
    ``billing.dispute_resolved`` (and ``billing.credit_issued`` when credited)."""
    return billing.resolve_dispute(dispute_id, request.get_json(), origin())
