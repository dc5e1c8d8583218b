"""The staff desk's payloads (/internal/v1/accounts?q=, /internal/v1/accounts/{n}): what the
gateway validates and documents, and what billing's search_accounts and get_account_overview
answer (plus what the gateway joins from payments and identity)."""
from marshmallow import Schema, fields, validate

from services.contracts import paging, validators
from services.contracts.billing import CompanyProfile, StatementItem
from services.contracts.closure import AccountClosure
from services.contracts.disputes import Dispute
from services.contracts.formats import DATE
from services.contracts.identity import AccountUser
from services.contracts.payments import Payment

MAX_QUERY = 100  # billing/search.py refuses longer too
SEARCH_CURSOR_CHARS = 700  # billing/search.py's cursor: 120 characters of 4 bytes, and more
STATUSES = ("active", "suspended", "closed")


class AccountSearchQuery(Schema):
    q = fields.String(required=True, validate=[validate.Length(1, MAX_QUERY),
                                               validators.plain_text], metadata={
        "description": "an account number, an invoice number, the start of a company name "
                       "(any case), an email or a phone number; `%` and `_` are literal"})
    limit = paging.limit_field()
    # as long as billing/search.py's cursors get (a company name's key is in them)
    cursor = paging.cursor_field(SEARCH_CURSOR_CHARS,
                                 description="`next_cursor` of the page before")


class AccountSearchItem(Schema):
    account_number = fields.String(required=True)
    company_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True, metadata={"description": "E.164"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    balance_cents = fields.Integer(required=True, metadata={
        "description": "the ledger's balance; negative = credit"})


class AccountSearchPage(Schema):
    items = fields.List(fields.Nested(AccountSearchItem), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class AccountServiceLine(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    section = fields.String(required=True)
    quantity = fields.Integer(required=True)
    monthly_cents = fields.Integer(required=True, metadata={"description": "each, as sold"})


class AccountOverview(Schema):
    account_number = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "active | suspended | closed"})
    profile = fields.Nested(CompanyProfile, required=True)
    invoice_delivery = fields.String(required=True, metadata={"description": "paper | paperless"})
    bill_cycle_day = fields.Integer(required=True)
    opened_on = fields.String(required=True, metadata=DATE)
    services = fields.List(fields.Nested(AccountServiceLine), required=True)
    balance_cents = fields.Integer(required=True, metadata={
        "description": "the ledger's balance; negative = credit"})
    amount_due_cents = fields.Integer(required=True)
    past_due_cents = fields.Integer(required=True)
    currency = fields.String(required=True)
    statements = fields.List(fields.Nested(StatementItem), required=True, metadata={
        "description": "the last three, newest first"})
    recent_payments = fields.List(fields.Nested(Payment), required=True, metadata={
        "description": "the last five, newest first (payments)"})
    users = fields.List(fields.Nested(AccountUser), required=True, metadata={
        "description": "online IDs of the account and their roles (identity)"})
    open_disputes = fields.List(fields.Nested(Dispute), required=True, metadata={
        "description": "the account's open disputes, newest first"})
    closure = fields.Nested(AccountClosure, allow_none=True, metadata={
        "description": "a closed account's closure (final statement, read-only until); "
                       "null otherwise"})
