"""Staff: collections runs (what billing's daily cycle does for today, for a chosen date)."""
from flask import request

from gateway.clients import billing
from gateway.staff import bp
from services.contracts.billing import CollectionRunRequest, CollectionRunResult


@bp.post("/collection-runs")
@bp.arguments(CollectionRunRequest)
@bp.response(200, CollectionRunResult)
@bp.alt_response(400, description="Invalid fields")
@bp.doc(operationId="createCollectionRun")
def run_collections(_validated):
    """Run collections (dunning)

    On ``run_date``, remind the payers of every account (or the named ones) 1, 7 and 14 days
    past due, suspend those SUSPEND_AFTER_DAYS (30) past due (``billing.account_suspended``)
    and restore suspended accounts nothing is past due on. Each reminder is sent once and
    each account suspended once however often this runs."""
    return billing.run_collections(request.get_json())
