"""An account's company profile and invoice delivery (paper or paperless). Anyone on the
account reads them; only its admins change them (gateway.roles: "manage")."""
from flask import request

from gateway import auth
from gateway.api import ApiBlueprint
from gateway.rpc import call
from services.contracts import billing as schemas

bp = ApiBlueprint("account_settings", __name__, url_prefix="/api/v1",
                  description="An account's company profile and invoice delivery.")

BEARER = [{"bearer": []}]


def actor():
    """Who changes what and from where, for identity's audit trail (via billing's events)."""
    return {"user_id": auth.current_user()["user_id"], "ip": request.remote_addr}


def update_profile(account_number, changes):
    return call("billing", "update_profile", account_number, changes, actor=actor())


def set_delivery(account_number, body):
    return call("billing", "set_invoice_delivery", account_number, body, actor=actor())


@bp.get("/accounts/<account_number>/profile")
@bp.response(200, schemas.CompanyProfile)
@bp.alt_response(401, description="Not signed in")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(security=BEARER)
@auth.account_scope("view")
def get_profile(account_number):
    """The company profile: name, contact, email, phone, billing address."""
    return call("billing", "get_profile", account_number)


@bp.patch("/accounts/<account_number>/profile")
@bp.arguments(schemas.CompanyProfileChange)
@bp.response(200, schemas.CompanyProfile)
@bp.alt_response(400, description="Invalid fields (each named); nothing changed")
@bp.alt_response(401, description="Not signed in")
@bp.alt_response(403, description="Only an admin of the account may change its profile")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(security=BEARER)
@auth.account_scope("manage")
def patch_profile(_validated, account_number):
    """Change any of the profile's fields (a billing address is sent whole). Emits
    `billing.profile_changed`."""
    return update_profile(account_number, request.get_json())


@bp.get("/accounts/<account_number>/invoice-delivery")
@bp.response(200, schemas.InvoiceDelivery)
@bp.alt_response(401, description="Not signed in")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(security=BEARER)
@auth.account_scope("view")
def get_delivery(account_number):
    """How invoices reach the company: `paperless` (emailed to `email`) or `paper`."""
    return call("billing", "get_invoice_delivery", account_number)


@bp.put("/accounts/<account_number>/invoice-delivery")
@bp.arguments(schemas.DeliveryChange)
@bp.response(200, schemas.InvoiceDelivery)
@bp.alt_response(400, description="Not paperless or paper, or an invalid email")
@bp.alt_response(401, description="Not signed in")
@bp.alt_response(403, description="Only an admin of the account may change invoice delivery")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(security=BEARER)
@auth.account_scope("manage")
def put_delivery(_validated, account_number):
    """Go paperless (each new statement is emailed to `email`, else the company email, with
    a link to it) or back to paper (printed and posted). Emits
    `billing.invoice_delivery_changed`."""
    return set_delivery(account_number, request.get_json())
