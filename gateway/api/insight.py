"""Insight into the bill: the month so far. Whoever may read the account's statements may read
it."""
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import billing
from services.contracts.insight import CurrentUsage

bp = ApiBlueprint("insight", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "view"),
                  description="The month so far.")


@bp.get("/accounts/<account_number>/current-usage")
@bp.response(200, CurrentUsage)
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="getCurrentUsage")
def get_current_usage(account_number):
    """This month, so far

    The unbilled usage of the period the next statement bills, rated exactly as the bill
    run will rate it, with the services, taxes and the estimated total of that statement if
    it were issued now (`as_of`), and the usage charges of each day for a chart. Payments
    and credits are not charges: they are not in the estimate."""
    return billing.get_current_usage(account_number)
