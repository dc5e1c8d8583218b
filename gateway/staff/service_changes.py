"""Staff: changing an account's services with proration (any product)."""
from flask import request

from gateway.clients import billing
from gateway.staff import bp
from services.contracts.billing import ServiceChangeRequest, ServiceChangeResult


@bp.post("/accounts/<account_number>/service-changes")
@bp.arguments(ServiceChangeRequest)
@bp.response(200, ServiceChangeResult)
@bp.alt_response(400, description="Invalid fields, an unknown or repeated product code, a "
                                  "quantity out of 0-999; nothing changed")
@bp.alt_response(404, description="Unknown account")
@bp.alt_response(422, description="A date in a billed period (before the last statement), "
                                  "after the next statement or before a change already "
                                  "recorded; nothing changed")
@bp.doc(operationId="changeServices")
def change_services(_validated, account_number):
    """Change an account's services

    Set new quantities (`0` removes a product, a new code adds it) from `effective_date`
    (default today). With `preview: true` nothing changes: the answer is the prorated lines
    and the next bill's estimate. The next statement credits the unused part of the old
    quantity and charges the new one, by whole days: days left in the period over its
    actual length, each line rounded half up to the cent, dated, in the product's section.
    A request that changes no quantity (a retry) records nothing. Emits
    `billing.services_changed`."""
    return billing.change_account_services(account_number, request.get_json())
