"""Staff: bill runs."""
from flask import request

from gateway.rpc import call
from gateway.staff import bp
from services.contracts.billing import BillRunRequest, BillRunResult

BILL_RUN_TIMEOUT = 600  # a whole cycle; for very large ones use `make bill-run`


@bp.post("/bill-runs")
@bp.arguments(BillRunRequest)
@bp.response(200, BillRunResult)
@bp.alt_response(400, description="Invalid fields")
@bp.doc(operationId="createBillRun")
def run_bill_run(_validated):
    """Run a billing cycle

    Issue the statements of a cycle date (or of the named accounts); running the same date
    again issues nothing new."""
    return call("billing", "issue_statements", request.get_json(), timeout=BILL_RUN_TIMEOUT)
