"""Staff: payment runs (what the payments service's daily timer does, for a chosen date)."""
from gateway.clients import payments
from gateway.staff import bp
from services.contracts.payments import PaymentRunRequest, PaymentRunResult



@bp.post("/payment-runs")
@bp.arguments(PaymentRunRequest)
@bp.response(200, PaymentRunResult)
@bp.alt_response(400, description="Invalid fields")
@bp.doc(operationId="createPaymentRun")
def run_payments(args):
    """Run the payments due

    Run scheduled and automatic payments due on or before ``run_date``, settle bank debits
    and record returns; each payment is charged once however often this runs."""
    return payments.run_payments(args["run_date"].isoformat())
