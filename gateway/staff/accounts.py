"""Staff: the product catalogue and opening business accounts."""
from flask import request

from gateway.rpc import call
from gateway.staff import bp
from services.contracts.billing import OpenAccountRequest, OpenedAccount, ProductList

STAFF = [{"staff": []}]


@bp.get("/products")
@bp.response(200, ProductList)
@bp.doc(security=STAFF)
def list_products():
    """The product catalogue, by section, with monthly prices in cents."""
    return {"items": call("billing", "list_products")}


@bp.post("/accounts")
@bp.arguments(OpenAccountRequest)
@bp.response(201, OpenedAccount)
@bp.alt_response(400, description="Invalid fields")
@bp.doc(security=STAFF)
def open_account(_validated):
    """Open a business account: returns its account number and the invoice's security key."""
    return call("billing", "open_account", request.get_json())
