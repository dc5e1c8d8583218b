"""The toll-fraud guard, for the account's users: its fraud alerts (anyone on the account
reads them; an admin marks one as expected) and its international-calling block (an admin
sets it). Staff list every account's cases (gateway/staff/fraud_cases.py)."""
from flask import request

from gateway.actors import actor
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import billing
from services.contracts.fraud import (FraudAlertQuery, FraudCase, FraudCasePage,
                                      InternationalCalling, InternationalCallingRequest)

bp = ApiBlueprint("fraud", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "manage"),
                  description="Toll-fraud alerts and the international-calling block.")


@bp.get("/accounts/<account_number>/fraud-alerts")
@bp.arguments(FraudAlertQuery, location="query")
@bp.response(200, FraudCasePage)
@bp.alt_response(400, description="An unknown status, a bad limit or cursor")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="listFraudAlerts")
@access.account_scope("view")
def list_fraud_alerts(query, account_number):
    """The account's fraud alerts

    Usage loads the toll-fraud guard found suspicious, newest first (``status`` open or
    expected; ``limit`` 1-100, ``cursor``): the score, the rules that fired and what they
    saw. An open one shows as a banner in the portal until an admin marks it expected."""
    return billing.list_fraud_alerts(account_number, query["status"], query["limit"],
                                     query["cursor"])


@bp.post("/accounts/<account_number>/fraud-alerts/<case_id>/expected")
@bp.response(200, FraudCase)
@bp.alt_response(403, description="Only an admin of the account may mark an alert")
@bp.alt_response(404, description="No such account or alert available to you")
@bp.doc(operationId="markFraudAlertExpected")
def mark_fraud_alert_expected(account_number, case_id):
    """Mark a fraud alert as expected

    Say the alert's calls were the company's own: it is no longer shown, and what the load
    looked like counts as usual for the account from now on. Marking it again changes
    nothing. Emits ``billing.fraud_case_marked_expected``."""
    return billing.mark_fraud_alert_expected(account_number, case_id, actor())


@bp.get("/accounts/<account_number>/international-calling")
@bp.response(200, InternationalCalling)
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="getInternationalCalling")
@access.account_scope("view")
def get_international_calling(account_number):
    """Whether international calling is blocked

    Whether the account's lines may call abroad, and when that last changed."""
    return billing.get_international_calling(account_number)


@bp.put("/accounts/<account_number>/international-calling")
@bp.arguments(InternationalCallingRequest)
@bp.response(200, InternationalCalling)
@bp.alt_response(400, description="`blocked` missing or not true or false")
@bp.alt_response(403, description="Only an admin of the account may block or allow "
                                  "international calling")
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="setInternationalCalling")
def set_international_calling(data, account_number):
    """Block or allow international calling

    ``blocked: true`` asks the network to refuse international calls from the account's
    lines (``false`` allows them again). Usage already carried is still billed; an
    international call that started after the block is flagged as suspected fraud. Emits
    ``billing.international_calling_changed`` when it changes."""
    return billing.set_international_calling(account_number, data["blocked"], actor())
