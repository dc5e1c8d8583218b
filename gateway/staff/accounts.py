"""Staff: the product catalogue, opening business accounts, reissuing their security key,
and the desk: finding an account and one account's overview."""
from flask import request

from gateway.clients import accounts, billing
from gateway.staff import bp
from services.contracts.billing import (OpenAccountRequest, OpenedAccount, ProductList,
                                        ReissuedSecurityKey)
from services.contracts.desk import AccountOverview, AccountSearchPage, AccountSearchQuery

STAFF = [{"staff": []}]  # written out by the one view that names it before its operationId


@bp.get("/products")
@bp.response(200, ProductList)
@bp.doc(operationId="listProducts")
def list_products():
    """The product catalogue

    The product catalogue, by section, with monthly prices in cents."""
    return {"items": billing.list_products()}


@bp.get("/accounts")
@bp.arguments(AccountSearchQuery, location="query")
@bp.response(200, AccountSearchPage)
@bp.alt_response(400, description="No q, a q over 100 characters or with control "
                                  "characters, a bad limit or cursor")
@bp.doc(operationId="searchAccounts")
def search_accounts(query):
    """Find accounts

    Accounts whose account number, invoice number, email or phone is ``q``, or whose
    company name starts with ``q`` (any case; ``%`` and ``_`` are taken literally), ordered by
    company name, ``limit`` (1-100) a page; ``next_cursor`` asks for the next one. A phone
    may be typed in any common notation; an email matches whole. Each item has the account's
    status and its ledger balance."""
    return billing.search_accounts(query["q"], query["limit"], query["cursor"])


@bp.get("/accounts/<account_number>")
@bp.response(200, AccountOverview)
@bp.alt_response(404, description="Unknown account")
@bp.doc(operationId="getAccountOverview")
def get_account_overview(account_number):
    """One account's overview

    The account on one page: its profile, status (``active``, ``suspended`` or ``closed``),
    services, balance, last three statements, last five payments, its online IDs and their
    roles, and its open disputes. Any service it needs
    not answering is a 503 naming that service."""
    return accounts.staff_overview(account_number)


@bp.post("/accounts")
@bp.arguments(OpenAccountRequest)
@bp.response(201, OpenedAccount)
@bp.alt_response(400, description="Invalid fields")
@bp.doc(operationId="openAccount")
def open_account(_validated):
    """Open a business account

    Open a business account: returns its account number and the invoice's security key."""
    return billing.open_account(request.get_json())


@bp.post("/accounts/<account_number>/security-key")
@bp.response(200, ReissuedSecurityKey)
@bp.alt_response(404, description="Unknown account")
@bp.doc(security=STAFF, operationId="reissueSecurityKey")
def reissue_security_key(account_number):
    """Reissue an account's security key

    Reissue the account's security key: returns the new key, this once.

    The old key stops working at sign-up at once; the account's next statement prints the new
    one. Online IDs already created are not affected. Emits ``billing.security_key_reissued``.
    """
    return billing.reissue_security_key(account_number)
