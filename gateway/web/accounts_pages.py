"""Portal pages for one online ID with many accounts (issue 17): the account switcher in every
page's header (the current account is the portal session's ``account``:
gateway.auth.access.current_account), "My accounts" (each account's amount due and due date,
the total, and a form to link another account), and paying several accounts at once (one
payment per account, each with its own Idempotency-Key; one confirmation page listing each
result, a decline on one never stopping the others)."""
import uuid

from flask import flash, g, redirect, render_template, request, session, url_for

from gateway import redirects
from gateway.actors import actor
from gateway.auth import access
from gateway.clients import identity, payments
from gateway.clients.accounts import accounts_of, accounts_with_amounts
from gateway.rpc import ServiceUnavailable
from gateway.web import bp, forms
from gateway.web.pay_pages import dollars_to_cents
from services.contracts import roles
from services.contracts.errors import DomainError, Refused, Throttled

LINK_LABELS = {"account_number": "Account number", "security_key": "Security key"}
PAY_LABELS = {"amount_cents": "Amount", "payment_method_id": "Payment method",
              "security_code": "Security code", "scheduled_for": "Pay on"}
RESULTS = "multi_pay"  # the portal session's key for the last multi-payment's results
UNAVAILABLE = ("Payments did not answer, so this payment is unconfirmed. Submitting the same "
               "form again is safe: it cannot pay twice.")


@bp.app_context_processor
def account_switcher():
    """``portal_accounts`` (the signed-in user's accounts with company names) and
    ``current_account_number`` for the switcher in base.html's header; empty when signed out
    or when a service is away (the page itself still renders)."""
    try:
        user = access.current_user()
        if user is None:
            return {"portal_accounts": [], "current_account_number": None}
        return {"portal_accounts": _accounts(user["user_id"]),
                "current_account_number": access.current_account()}
    except Exception:  # noqa: BLE001 - an error page while a service is away still renders
        return {"portal_accounts": [], "current_account_number": None}


def _accounts(user_id):
    """``accounts_of`` once per request: the page and the header's switcher share it."""
    if "portal_accounts" not in g:
        g.portal_accounts = accounts_of(user_id)
    return g.portal_accounts


def _accounts_with_amounts(user_id):
    """``accounts_with_amounts``, which is also the switcher's list (no second round of RPCs)."""
    g.portal_accounts = accounts_with_amounts(user_id)
    return g.portal_accounts


@bp.post("/accounts/switch")
@access.signed_in
def switch_account():
    """Makes the chosen account the current one (NotFound, as for any account one may not
    see, when it is not the user's) and goes back to the page the switcher was on."""
    access.select_account(request.form.get("account_number", "").strip())
    return redirect(redirects.local_path(request.form.get("next"), url_for("web.dashboard")))


@bp.get("/accounts")
@access.signed_in
def my_accounts():
    accounts = _accounts_with_amounts(access.current_user()["user_id"])
    return render_template(
        "my_accounts.html", accounts=accounts,
        total=sum(a["amount_due_cents"] or 0 for a in accounts),
        may_pay_any=any(roles.allows(a["role"], "pay") for a in accounts),
        current=access.current_account())


@bp.post("/accounts/link")
@access.signed_in
def link_account():
    body = {"account_number": request.form.get("account_number", "").strip(),
            "security_key": request.form.get("security_key", "").strip()}
    linked = forms.submit(
        lambda: identity.link_account(access.current_user()["user_id"], body, actor()),
        lambda done: f"Account {done['account_number']} was added to your online ID. You are "
                     f"its {done['role']}.",
        lambda exc: forms.flash_refusal(exc, LINK_LABELS))
    if linked:
        access.select_account(linked["account_number"])
    return redirect(url_for("web.my_accounts"))


def _payable(user_id):
    """The user's accounts their role there lets them pay, with amounts and methods."""
    found = [a for a in _accounts_with_amounts(user_id) if roles.allows(a["role"], "pay")]
    for account in found:
        account["methods"] = payments.list_payment_methods(account["account_number"])
    return found


@bp.get("/accounts/pay")
@access.signed_in
def pay_accounts():
    accounts = _payable(access.current_user()["user_id"])
    for account in accounts:  # a new key per form: each payment its own, a resubmit the same
        account["idempotency_key"] = str(uuid.uuid4())
    return render_template("pay_accounts.html", accounts=accounts)


CODE_NOT_TRIED = ("Not paid: the security code was refused for an account above, so it was "
                  "not tried again. Check the code and submit again.")


def _wrong_code(exc):
    """A refusal of the form's one security code (wrong, or too many wrong ones)."""
    return isinstance(exc, Throttled) or (
        isinstance(exc, Refused) and exc.extra.get("field") == "security_code")


def _one_payment(number, form, user_id):
    """Pays one account from its row of the form: ``{account_number, payment_id}`` or
    ``{account_number, error}`` (``wrong_code`` when the security code was refused); None
    when the row asks for nothing."""
    amount = (form.get(f"amount-{number}") or "").strip()
    if amount in ("", "0", "0.00"):
        return None
    try:
        access.check_account(number, "pay")  # the role on THIS account
        body = {"amount_cents": dollars_to_cents(amount),
                "payment_method_id": form.get(f"method-{number}") or ""}
        if form.get("security_code", "").strip():
            body["security_code"] = form["security_code"].strip()
        payment = payments.create_payment(number, body, form.get(f"key-{number}") or "",
                                          user_id)
    except DomainError as exc:
        messages = forms.field_messages(getattr(exc, "errors", None) or {})
        return {"account_number": number, "error": "; ".join(
            f"{PAY_LABELS.get(f, f)}: {m}" for f, ms in messages.items() for m in ms)
            or exc.detail, "wrong_code": _wrong_code(exc)}
    except ServiceUnavailable:
        return {"account_number": number, "error": UNAVAILABLE}
    return {"account_number": number, "payment_id": payment["id"]}


@bp.post("/accounts/pay")
@access.signed_in
def pay_accounts_submit():
    user_id = access.current_user()["user_id"]
    results, code_refused = [], False
    for account in identity.list_user_accounts(user_id):
        number = account["account_number"]
        if code_refused:  # one submit, one guess: a wrong code is not tried on every account
            if (request.form.get(f"amount-{number}") or "").strip() not in ("", "0", "0.00"):
                results.append({"account_number": number, "error": CODE_NOT_TRIED})
            continue
        result = _one_payment(number, request.form, user_id)
        if result:
            code_refused = result.pop("wrong_code", False)
            results.append(result)
    if not results:
        flash("Enter an amount for at least one account.", "error")
        return redirect(url_for("web.pay_accounts"))
    session[RESULTS] = results
    return redirect(url_for("web.pay_accounts_confirmation"))


@bp.get("/accounts/pay/confirmation")
@access.signed_in
def pay_accounts_confirmation():
    """Each payment as payments has it now (a declined one included), each refusal's words."""
    names = {a["account_number"]: a["company_name"]
             for a in _accounts(access.current_user()["user_id"])}
    shown = []
    for result in session.get(RESULTS, []):
        number = result["account_number"]
        row = {"account_number": number, "company_name": names.get(number),
               "payment": None, "error": result.get("error")}
        if result.get("payment_id") and number in names:
            try:
                row["payment"] = payments.get_payment(number, result["payment_id"])
            except DomainError as exc:
                row["error"] = exc.detail
        shown.append(row)
    return render_template("pay_accounts_confirmation.html", results=shown)
