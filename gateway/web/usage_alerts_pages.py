"""Portal page /usage-alerts: the current account's spend thresholds (typed in dollars) and
bill-shock warning, for its admins and billing users; the same billing RPCs as the API. A
refusal comes back as a flashed message and changes nothing."""
from flask import redirect, render_template, request, url_for

from gateway.actors import actor
from gateway.auth import access
from gateway.clients import billing
from gateway.web import bp, forms
from gateway.web.pay_pages import dollars_to_cents
from services.contracts.errors import InvalidInput
from services.contracts.usage_alerts import BILL_SHOCK_PERCENT, MAX_THRESHOLDS

LABELS = {"thresholds_cents": "Alert me at", "bill_shock": "Bill shock",
          "amount_cents": "Alert me at"}


def thresholds_from(text):
    """'50, 200.00' -> [5000, 20000]; raises InvalidInput naming the field."""
    parts = [part for part in (text or "").replace(";", ",").split(",") if part.strip()]
    if len(parts) > 4 * MAX_THRESHOLDS:  # billing counts them again; this bounds the parsing
        raise InvalidInput({"thresholds_cents": [f"At most {MAX_THRESHOLDS} thresholds."]})
    return [dollars_to_cents(part) for part in parts]


@bp.get("/usage-alerts")
@access.web_account_scope("pay")
def usage_alerts():
    number = access.current_account()
    return render_template("usage_alerts.html", account_number=number,
                           alerts=billing.get_usage_alerts(number),
                           max_thresholds=MAX_THRESHOLDS, percent=BILL_SHOCK_PERCENT)


@bp.post("/usage-alerts")
@access.web_account_scope("pay")
def save_usage_alerts():
    number, who = access.current_account(), actor()

    def change():
        body = {"thresholds_cents": thresholds_from(request.form.get("thresholds")),
                "bill_shock": request.form.get("bill_shock") == "on"}
        return billing.set_usage_alerts(number, body, who)

    forms.submit(change, "Your usage alerts are saved.", _refused)
    return redirect(url_for("web.usage_alerts"))


def _refused(exc):
    # billing names a bad amount by its place in the list: the page has one field for all
    errors = getattr(exc, "errors", None)
    if isinstance(exc, InvalidInput) and isinstance(errors.get("thresholds_cents"), dict):
        messages = sorted({m for ms in errors["thresholds_cents"].values() for m in ms})
        exc = InvalidInput(dict(errors, thresholds_cents=messages))
    forms.flash_refusal(exc, LABELS)
