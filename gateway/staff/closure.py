"""Staff: closing an account, with its final bill."""
from flask import request

from gateway.actors import origin
from gateway.clients import billing
from gateway.staff import bp
from gateway.staff.credits import IDEMPOTENCY_KEY
from services.contracts.closure import Closure, ClosureRequest

CLOSURE_KEY = dict(IDEMPOTENCY_KEY, description=(
    "A unique key per closure (a UUID). The same key with the same body returns the first "
    "closure; with another body, 409."))


@bp.post("/accounts/<account_number>/closure")
@bp.arguments(ClosureRequest)
@bp.response(201, Closure)
@bp.alt_response(400, description="Invalid fields (no effective date or reason), or no "
                                  "Idempotency-Key; nothing changed")
@bp.alt_response(404, description="Unknown account")
@bp.alt_response(409, description="Already closed with another date or reason, or the "
                                  "Idempotency-Key reused with another body")
@bp.alt_response(422, description="An effective date on or before the last statement's date, "
                                  "before the account was opened or after the next statement "
                                  "date; nothing changed")
@bp.alt_response(503, description="billing or payments did not answer; nothing changed")
@bp.doc(operationId="closeAccount", parameters=[CLOSURE_KEY])
def close_account(_validated, account_number):
    """Close an account

    The account's services end on `effective_date` (each prorated by whole days: a dated
    credit for the unused part of the period already billed, in its section) and the final
    statement is issued at once for the period from the last statement's date to that day
    (its PDF says "Final statement"). The status becomes `closed`: nothing new is billed or
    loaded, service changes are refused (staff credits still post). Payments turns autopay
    off and cancels scheduled payments; a credit balance after the final statement is
    refunded to the newest refundable payments, exactly once (`refund.credit_left_cents`
    says what no payment can take and stays a credit). The account's admins are mailed; its
    users can still sign in, read and download statements and pay what is left until
    `read_only_until` (18 months). Closing again with the same date and reason answers the
    first closure. Emits `billing.account_closed` (and `billing.services_changed`,
    `billing.statement_issued`)."""
    return billing.close_account(account_number, request.get_json(),
                                 request.headers.get("Idempotency-Key"), origin())
