"""The toll-fraud guard in the portal: the dashboard's banner for open fraud alerts (anyone
on the account sees it; an admin marks an alert expected from it), and the international-
calling block on /account (admins set it), through the same billing RPCs as the API."""
from flask import flash, redirect, request, url_for

from gateway.actors import actor
from gateway.auth import access
from gateway.clients import billing
from gateway.web import bp
from services.contracts.errors import DomainError

BANNER_ALERTS = 5  # the newest open ones; the rest wait behind them
SAYS = {
    "costly_burst": "A burst of international or premium-rate calls",
    "night_calls": "Toll calls at night in your time zone",
    "short_costly_calls": "Many short calls to one high-cost destination",
    "simultaneous_calls": "An unusual number of calls at the same time",
    "international_while_blocked": "International calls after you blocked them",
}


def open_alerts(account_number):
    """The dashboard's banner: the newest open alerts, each rule put in words."""
    items = billing.list_fraud_alerts(account_number, "open", BANNER_ALERTS)["items"]
    for alert in items:
        alert["seen"] = [{"what": SAYS.get(rule, rule),
                          **alert["evidence"].get(rule, {})} for rule in alert["rules"]]
    return items


@bp.post("/fraud-alerts/<case_id>/expected")
@access.web_account_scope("manage")
def fraud_alert_expected(case_id):
    try:
        billing.mark_fraud_alert_expected(access.current_account(), case_id, actor())
    except DomainError as exc:
        flash(exc.detail, "error")
    else:
        flash("Marked as expected: we will not warn you about these calls again.", "success")
    return redirect(url_for("web.dashboard"))


@bp.post("/account/international-calling")
@access.web_account_scope("manage")
def international_calling():
    blocked = request.form.get("blocked") == "true"
    try:
        billing.set_international_calling(access.current_account(), blocked, actor())
    except DomainError as exc:
        flash(exc.detail, "error")
    else:
        flash("International calling is blocked: the network will refuse international calls "
              "from your lines." if blocked else "International calling is allowed again.",
              "success")
    return redirect(url_for("web.account") + "#international-calling")
