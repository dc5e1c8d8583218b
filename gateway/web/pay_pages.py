"""Portal pages: /pay (payment methods, pay now or on a date, scheduled payments, autopay) and
the payment confirmation. Every form posts to the same payments RPCs as the API; refusals come
back as flashed messages in the customer's words."""
import uuid
from decimal import Decimal, InvalidOperation

from flask import g, redirect, render_template, request, url_for

from gateway.actors import actor
from gateway.auth import access
from gateway.clients import payments
from gateway.clients.accounts import account_summary
from gateway.web import bp, forms
from services.contracts import money, roles
from services.contracts.errors import DomainError, InvalidInput

LABELS = {"card_number": "Card number", "exp_month": "Expiration month",
          "exp_year": "Expiration year", "cvc": "CVC", "name": "Name", "postal_code": "ZIP code",
          "routing_number": "Routing number", "account_number": "Account number",
          "account_type": "Account type", "amount_cents": "Amount",
          "payment_method_id": "Payment method", "scheduled_for": "Pay on",
          "security_code": "Security code", "Idempotency-Key": "Form",
          "max_amount_cents": "Maximum amount"}
CARD_FIELDS = ("card_number", "exp_month", "exp_year", "cvc", "name", "postal_code")
BANK_FIELDS = ("routing_number", "account_number", "account_type", "name")


def _flash_error(exc):
    forms.flash_refusal(exc, LABELS, say_wait=False)  # a refusal in payments' own words


def _back():
    return redirect(url_for("web.pay"))


MAX_DOLLARS = Decimal(10) ** 12  # far above any payment; payments refuses more than its own cap


def dollars_to_cents(text, field="amount_cents"):
    """'1,234.5' -> 123450; raises InvalidInput (on ``field``) for anything else."""
    try:
        amount = Decimal((text or "").replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise InvalidInput({field: ["Enter an amount in dollars, like 125.00."]}) \
            from None
    # finite and within what quantize can hold first: NaN, Infinity and 1e309 parse as
    # Decimals, and quantizing them raised InvalidOperation (a 500)
    if (not amount.is_finite() or abs(amount) >= MAX_DOLLARS
            or amount != amount.quantize(Decimal("0.01"))):
        raise InvalidInput({field: ["Enter dollars and cents, like 125.00."]})
    return int(amount * 100)


@bp.get("/pay")
@access.web_account_scope("view")
def pay():
    number = access.current_account()
    methods = payments.list_payment_methods(number)
    history = payments.list_payments(number, 20)["items"]
    return render_template(
        "pay.html", summary=account_summary(number), methods=methods,
        scheduled=[p for p in history if p["status"] == "scheduled"],
        history=[p for p in history if p["status"] != "scheduled"],
        autopay=payments.autopay_or_off(number),
        may_pay=roles.allows(g.get("account_role"), "pay"),
        idempotency_key=str(uuid.uuid4()))


@bp.post("/pay/methods")
@access.web_account_scope("pay")
def add_method():
    kind = request.form.get("type")
    fields = CARD_FIELDS if kind == "card" else BANK_FIELDS
    body = {"type": kind, **{f: request.form.get(f, "").strip() for f in fields}}
    forms.submit(lambda: payments.add_payment_method(access.current_account(), body,
                                                     actor()),
                 _added, _flash_error)
    return _back()


def _added(method):
    label = method["brand"] or method["bank_name"] or method["type"]
    return f"Added {label.title()} ending in {method['last4']}."


@bp.post("/pay/methods/<method_id>/remove")
@access.web_account_scope("pay")
def remove_method(method_id):
    forms.submit(lambda: payments.remove_payment_method(access.current_account(), method_id,
                                                        actor()),
                 "Payment method removed.", _flash_error)
    return _back()


@bp.post("/pay")
@access.web_account_scope("pay")
def make_payment():
    form = request.form
    try:
        body = {"amount_cents": dollars_to_cents(form.get("amount")),
                "payment_method_id": form.get("payment_method_id") or "",
                "scheduled_for": form.get("scheduled_for") or None}
        if form.get("security_code"):
            body["security_code"] = form["security_code"].strip()
        payment = payments.create_payment(access.current_account(), body,
                                          form.get("idempotency_key"),
                                          access.current_user()["user_id"])
    except DomainError as exc:
        _flash_error(exc)
        return _back()
    return redirect(url_for("web.payment_confirmation", payment_id=payment["id"]))


@bp.get("/pay/payments/<payment_id>")
@access.web_account_scope("view")
def payment_confirmation(payment_id):
    number = access.current_account()
    payment = payments.get_payment(number, payment_id)
    return render_template("pay_confirmation.html", payment=payment,
                           summary=account_summary(number))


@bp.post("/pay/payments/<payment_id>/cancel")
@access.web_account_scope("pay")
def cancel_payment(payment_id):
    forms.submit(lambda: payments.cancel_payment(access.current_account(), payment_id),
                 "Scheduled payment canceled.", _flash_error)
    return _back()


def _autopay_on(setting):
    limit = (f", up to {money.usd(setting['max_amount_cents'])} a statement"
             if setting.get("max_amount_cents") else "")
    return f"Autopay is on: each new statement will be paid on its due date{limit}."


@bp.post("/pay/autopay")
@access.web_account_scope("pay")
def set_autopay():
    number, who = access.current_account(), actor()
    if request.form.get("enabled") == "on":
        cap = (request.form.get("max_amount") or "").strip()
        forms.submit(lambda: payments.set_autopay(number, {
            "payment_method_id": request.form.get("payment_method_id") or "", "enabled": True,
            "max_amount_cents": dollars_to_cents(cap, "max_amount_cents") if cap else None},
            who), _autopay_on, _flash_error)
    else:
        forms.submit(lambda: payments.cancel_autopay(number, who), "Autopay is off.",
                     _flash_error)
    return _back()
