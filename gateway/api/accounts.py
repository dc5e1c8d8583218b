"""Business accounts the caller may see, and their summary."""
from marshmallow import Schema, fields

from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients.accounts import account_summary, accounts_of

DATE = {"format": "date"}  # an ISO 8601 date string, as the service sends it
DATE_TIME = {"format": "date-time"}  # ISO 8601 with zone, as the service sends it


bp = ApiBlueprint("accounts", __name__, url_prefix="/api/v1", signed_out="Not signed in",
                  description="Business accounts the caller may see, and their summary.")


class AccountItem(Schema):
    account_number = fields.String(required=True)
    company_name = fields.String(allow_none=True)
    role = fields.String(required=True)


class AccountList(Schema):
    items = fields.List(fields.Nested(AccountItem), required=True)


class SummaryLastPayment(Schema):
    amount_cents = fields.Integer(required=True)
    paid_at = fields.String(required=True, metadata=DATE_TIME)


class SummaryAutopay(Schema):
    enabled = fields.Boolean(required=True)
    payment_method_id = fields.String(allow_none=True)


class AccountSummary(Schema):
    account_number = fields.String(required=True)
    company_name = fields.String(required=True)
    amount_due_cents = fields.Integer(required=True)
    balance_cents = fields.Integer(metadata={"description": "ledger balance; negative = credit"})
    currency = fields.String(required=True)
    due_date = fields.String(allow_none=True, metadata=DATE)
    invoice_number = fields.String(allow_none=True)
    past_due_cents = fields.Integer(required=True)
    last_payment = fields.Nested(SummaryLastPayment, allow_none=True)
    autopay = fields.Nested(SummaryAutopay, allow_none=True)
    autopay_unavailable = fields.Boolean(metadata={
        "description": "true when the payments service did not answer: autopay is unknown"})
    invoice_delivery = fields.String(required=True)


@bp.get("/accounts")
@bp.response(200, AccountList)
@bp.doc(operationId="listAccounts")
@access.signed_in
def list_accounts():
    """Your accounts

    The accounts you may see, with company names and your role on each."""
    return {"items": accounts_of(access.current_user()["user_id"])}


@bp.get("/accounts/<account_number>/summary")
@bp.response(200, AccountSummary)
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="getAccountSummary")
@access.account_scope("view")
def get_summary(account_number):
    """An account's summary

    What the account owes and by when, its latest invoice and last payment."""
    return account_summary(account_number)
