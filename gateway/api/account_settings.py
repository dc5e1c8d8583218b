"""An account's company profile and invoice delivery (paper or paperless). Anyone on the
account reads them; only its admins change them (services.contracts.roles: "manage")."""
from flask import request
from marshmallow import fields

from gateway.actors import actor, origin
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import accounts, billing
from services.contracts import billing as schemas
from services.contracts.identity import PASSWORD, EmailConfirm

bp = ApiBlueprint("account_settings", __name__, url_prefix="/api/v1",
                  access=(access.ACCOUNT, "manage"), signed_out="Not signed in",
                  description="An account's company profile and invoice delivery.")

# written out only by the views that name security before their operationId (so the
# published document keeps its key order); the others get it from their access
BEARER = [{"bearer": []}]


class DeliveryRequest(schemas.DeliveryChange):
    current_password = fields.String(validate=PASSWORD, load_only=True, metadata={
        "description": "required with an `email` other than the one bills go to now"})


@bp.get("/accounts/<account_number>/profile")
@bp.response(200, schemas.CompanyProfile)
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="getCompanyProfile")
@access.account_scope("view")
def get_profile(account_number):
    """The company profile

    The company profile: name, contact, email, phone, billing address."""
    return billing.get_profile(account_number)


@bp.patch("/accounts/<account_number>/profile")
@bp.arguments(schemas.CompanyProfileChange)
@bp.response(200, schemas.CompanyProfile)
@bp.alt_response(400, description="Invalid fields (each named); nothing changed")
@bp.alt_response(403, description="Only an admin of the account may change its profile")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="updateCompanyProfile")
def patch_profile(_validated, account_number):
    """Change the company profile

    Change any of the profile's fields (a billing address is sent whole). Emits
    `billing.profile_changed`."""
    return billing.update_profile(account_number, request.get_json(), actor())


@bp.get("/accounts/<account_number>/invoice-delivery")
@bp.response(200, schemas.InvoiceDelivery)
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="getInvoiceDelivery")
@access.account_scope("view")
def get_delivery(account_number):
    """How invoices are delivered

    How invoices reach the company: `paperless` (emailed to `email`) or `paper`."""
    return billing.get_invoice_delivery(account_number)


@bp.put("/accounts/<account_number>/invoice-delivery")
@bp.arguments(DeliveryRequest)
@bp.response(200, schemas.InvoiceDelivery)
@bp.alt_response(400, description="Not paperless or paper, an invalid email, or a new email "
                                  "without `current_password` or with a wrong one")
@bp.alt_response(403, description="Only an admin of the account may change invoice delivery")
@bp.alt_response(404, description="No such account available to you")
@bp.alt_response(429, description="Too many wrong passwords, or too many confirmation mails "
                                  "for that address or account; see Retry-After")
@bp.doc(security=BEARER, operationId="setInvoiceDelivery")
def put_delivery(_validated, account_number):
    """Choose paperless or paper invoices

    Go paperless (each new statement is emailed to `email`, else to where bills go now,
    with a link to it) or back to paper (printed and posted). A new `email` needs your
    `current_password` and applies only once the link mailed to it is followed (single use,
    24 hours): until then nothing changes and `pending_email` shows it. Emits
    `billing.invoice_delivery_changed` when the delivery changes."""
    return accounts.set_delivery(account_number, access.current_user()["user_id"],
                                 request.get_json(), actor())


@bp.post("/invoice-delivery/confirm")
@bp.arguments(EmailConfirm)
@bp.response(200, schemas.InvoiceDelivery)
@bp.alt_response(422, description="The link is unknown, used, expired or superseded")
@bp.doc(security=[], operationId="confirmInvoiceEmail")
@access.public
def confirm_delivery(data):
    """Confirm a paperless invoice address

    Send an account's paperless bills to the address a mailed link was sent to (the
    token of that link; no sign-in needed: whoever reads that mailbox confirms it)."""
    found = billing.confirm_invoice_email(data["token"], origin())
    return {"method": found["method"], "email": found["email"], "pending_email": None}
