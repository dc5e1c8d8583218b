"""Staff: bill runs."""
from flask import request

from gateway.clients import billing
from gateway.staff import bp
from services.contracts.billing import BillRunRequest, BillRunResult


@bp.post("/bill-runs")
@bp.arguments(BillRunRequest)
@bp.response(200, BillRunResult)
@bp.alt_response(400, description="Invalid fields")
@bp.doc(operationId="createBillRun")
def run_bill_run(_validated):
    """Run a billing cycle

    Issue the statements of a cycle date (or of the named accounts); running the same date
    again issues nothing new."""
    return billing.issue_statements(request.get_json())
