"""Business accounts the caller may see, their summary, and linking another one."""
from flask import request

from gateway.actors import actor
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import identity
from gateway.clients.accounts import account_summary, accounts_with_amounts
from services.contracts.billing import AccountSummary
from services.contracts.identity import AccountList, LinkAccountRequest, LinkedAccount

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


@bp.post("/me/accounts")
@bp.arguments(LinkAccountRequest)
@bp.response(201, LinkedAccount)
@bp.alt_response(400, description="Invalid fields")
@bp.alt_response(422, description="The account number and security key do not match, or the "
                                  "account already has an online ID (one message for all, "
                                  "sign-up's)")
@bp.alt_response(429, description="Too many failed attempts from this address, or attempts "
                                  "on this account number (sign-up's allowances, shared); "
                                  "see Retry-After")
@bp.doc(operationId="linkAccount")
@access.signed_in
def link_account(_validated):
    """Add another account to your online ID

    Add another business account to your online ID with the account number and security
    key printed on its invoice: you become its admin. Only an account that has no online ID
    yet can be added; one that has (yours included) is refused with the same message as a
    wrong key, and its admins invite you instead. Throttled like sign-up. A security alert
    is mailed to you."""
    user = access.current_user()
    return identity.link_account(user["user_id"], request.get_json(), actor()), 201
