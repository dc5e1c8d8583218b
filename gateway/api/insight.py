"""Insight into the bill: the month so far, and why a statement's total changed. Whoever may
read the account's statements may read these."""
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import billing
from services.contracts.insight import CurrentUsage, StatementChanges

bp = ApiBlueprint("insight", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "view"),
                  description="The month so far, and why a bill changed.")


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


@bp.get("/accounts/<account_number>/statements/<invoice_number>/changes")
@bp.response(200, StatementChanges)
@bp.alt_response(404, description="No such account or statement available to you")
@bp.doc(operationId="getStatementChanges")
def get_statement_changes(account_number, invoice_number):
    """Why your bill changed

    How this statement's total (what it charged: new charges, late fees and credits)
    differs from the previous statement's, reason by reason in plain language (`kind`:
    service_added, service_removed, quantity_changed, price_changed, proration, usage,
    late_fee, credit, tax). The reasons add up exactly to `change_cents`. The account's
    first statement has no previous one: `previous_*` are null, `change_cents` is 0 and
    `reasons` is empty."""
    return billing.get_statement_changes(account_number, invoice_number)
