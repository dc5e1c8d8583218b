"""Staff: the product catalogue, opening business accounts and reissuing their security key."""
from flask import request

from gateway.clients import billing
from gateway.staff import bp
from services.contracts.billing import (OpenAccountRequest, OpenedAccount, ProductList,
                                        ReissuedSecurityKey)

STAFF = [{"staff": []}]  # written out by the one view that names it before its operationId


@bp.get("/products")
@bp.response(200, ProductList)
@bp.doc(operationId="listProducts")
def list_products():
    """The product catalogue

    The product catalogue, by section, with monthly prices in cents."""
    return {"items": billing.list_products()}


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
