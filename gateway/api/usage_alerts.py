"""An account's usage alerts: spend thresholds for the cycle's usage charges and the
bill-shock warning. Its admins and billing users (those who may pay: services.contracts.roles)
read and set them; viewers may not."""
from flask import request

from gateway.actors import actor
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import billing
from services.contracts.usage_alerts import UsageAlerts

bp = ApiBlueprint("usage_alerts", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "pay"),
                  description="Usage alerts: spend thresholds and bill shock.")


@bp.get("/accounts/<account_number>/usage-alerts")
@bp.response(200, UsageAlerts)
@bp.alt_response(403, description="Your role may not see usage alerts (viewers)")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="getUsageAlerts")
def get_usage_alerts(account_number):
    """The account's usage alerts

    The usage charges (calls billed by the minute) of a billing period at which the
    account's admins and billing users are told, and whether they are warned of bill shock
    (the period so far above 150 % of the last three statements' average usage). Until set:
    no thresholds, bill shock on."""
    return billing.get_usage_alerts(account_number)


@bp.put("/accounts/<account_number>/usage-alerts")
@bp.arguments(UsageAlerts)
@bp.response(200, UsageAlerts)
@bp.alt_response(400, description="A threshold not a whole number of cents from 1 to "
                                  "10,000,000, more than 10 of them, or `bill_shock` not "
                                  "true/false; nothing changed")
@bp.alt_response(403, description="Your role may not set usage alerts (viewers)")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="setUsageAlerts")
def put_usage_alerts(_validated, account_number):
    """Set the account's usage alerts

    Replace the thresholds (kept in increasing order, each amount once) and the bill-shock
    setting. Each threshold is told once per billing period, the first time a usage load
    takes the period's usage charges to it, by email and/or text as each admin's and billing
    user's `usage_alerts` notification preferences ask (the message centre lists it either
    way); bill shock once per period too, from the fourth statement on (it needs three to
    compare with). Billing emits `billing.usage_threshold_crossed` for each."""
    return billing.set_usage_alerts(account_number, request.get_json(), actor())
