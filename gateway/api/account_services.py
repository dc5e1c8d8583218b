"""An account's services: what it has (anyone on the account), and changing the self-service
products with proration (its admins: services.contracts.roles "manage"), a preview first."""
from flask import request

from gateway.actors import actor
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import billing
from services.contracts.billing import AccountServices, ServiceChangeRequest, ServiceChangeResult

bp = ApiBlueprint("account_services", __name__, url_prefix="/api/v1",
                  access=(access.ACCOUNT, "manage"), signed_out="Not signed in",
                  description="An account's services, and changing the self-service ones.")


@bp.get("/accounts/<account_number>/services")
@bp.response(200, AccountServices)
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="listAccountServices")
@access.account_scope("view")
def list_services(account_number):
    """The account's services

    What the company has: each product with its quantity and monthly price, the monthly
    total, the products its admins may change themselves (`self_service_products`: extra
    voice lines, static IPs, internet speed tiers) and the next statement's date."""
    return billing.get_account_services(account_number)


@bp.post("/accounts/<account_number>/service-changes")
@bp.arguments(ServiceChangeRequest)
@bp.response(200, ServiceChangeResult)
@bp.alt_response(400, description="Invalid fields, an unknown or repeated product code, a "
                                  "quantity out of 0-999; nothing changed")
@bp.alt_response(403, description="Only an admin of the account may change its services")
@bp.alt_response(404, description="No such account available to you")
@bp.alt_response(422, description="A product that cannot be changed online, or a date in the "
                                  "past, in a billed period, after the next statement or "
                                  "before a change already made; nothing changed")
@bp.doc(operationId="changeAccountServices")
def change_services(_validated, account_number):
    """Change the account's services

    Set new quantities of self-service products (`0` removes one, a new code adds it) from
    `effective_date` (default today, never in the past). With `preview: true` nothing
    changes: the answer is the prorated lines and the next bill's estimate; send it again
    without `preview` to confirm. The next statement credits the unused days of the old
    quantity and charges the new one for the same days (days left over the period's
    length, each line rounded half up to the cent). A request that changes no quantity
    (a retry) records nothing. Emits `billing.services_changed`."""
    return billing.change_account_services(account_number, request.get_json(),
                                           self_service=True, actor=actor())
