"""Business accounts the caller may see, and their summary."""
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients.accounts import account_summary, accounts_with_amounts
from services.contracts.billing import AccountSummary
from services.contracts.identity import AccountList

bp = ApiBlueprint("accounts", __name__, url_prefix="/api/v1", signed_out="Not signed in",
                  description="Business accounts the caller may see, and their summary.")


@bp.get("/accounts")
@bp.response(200, AccountList)
@bp.doc(operationId="listAccounts")
@access.signed_in
def list_accounts():
    """Your accounts

    The accounts you may see, with company names, your role on each, and what each owes
    (`amount_due_cents`, `currency`) and by when (`due_date`, the newest statement's; null
    before the first statement)."""
    return {"items": accounts_with_amounts(access.current_user()["user_id"])}


@bp.get("/accounts/<account_number>/summary")
@bp.response(200, AccountSummary)
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="getAccountSummary")
@access.account_scope("view")
def get_summary(account_number):
    """An account's summary

    What the account owes and by when, its latest invoice and last payment."""
    return account_summary(account_number)
