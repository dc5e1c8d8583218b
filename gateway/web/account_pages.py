"""Portal page /account: the company profile and invoice delivery of the current account.
Everyone on the account sees them; admins change them through the same billing RPCs as the
API (gateway.clients); others see them read-only with a note saying why."""
from flask import flash, g, redirect, render_template, request, url_for

from gateway.actors import actor, origin
from gateway.auth import access
from gateway.clients import accounts, billing
from gateway.web import bp, forms
from services.contracts import roles
from services.contracts.errors import DomainError, InvalidInput

LABELS = {"company_name": "Company name", "contact_name": "Contact name", "email": "Email",
          "phone": "Phone", "line1": "Address line 1", "line2": "Address line 2",
          "city": "City", "state": "State", "postal_code": "ZIP code",
          "method": "Invoice delivery", "billing_address": "Billing address",
          "current_password": "Current password",
          "_schema": "Profile"}


def _page(errors=None, form=None):
    number = access.current_account()
    return render_template(
        "account.html", profile=billing.get_profile(number),
        delivery=billing.get_invoice_delivery(number), account_number=number,
        international=billing.get_international_calling(number),
        may_manage=roles.allows(g.get("account_role"), "manage"), errors=errors or {},
        form=form, labels=LABELS)


@bp.get("/account")
@access.web_account_scope("view")
def account():
    return _page()


@bp.post("/account/profile")
@access.web_account_scope("manage")
def account_profile():
    form = {key: request.form.get(key, "").strip() for key in LABELS
            if key not in ("method", "billing_address", "_schema")}
    changes = {key: form[key] for key in ("company_name", "contact_name", "email", "phone")}
    changes["billing_address"] = {key: form[key] for key in
                                  ("line1", "line2", "city", "state", "postal_code")}
    changes["billing_address"]["line2"] = changes["billing_address"]["line2"] or None
    try:
        billing.update_profile(access.current_account(), changes, actor())
    except InvalidInput as exc:
        errors = forms.field_messages(exc.errors)  # the address's are nested
        forms.flash_refusal(exc, LABELS)
        return _page(errors, form)  # the form again, with each field's message by it
    except DomainError as exc:
        flash(exc.detail, "error")
        return redirect(url_for("web.account"))
    flash("The company profile is saved.", "success")
    return redirect(url_for("web.account"))


@bp.post("/account/delivery")
@access.web_account_scope("manage")
def account_delivery():
    body = {"method": request.form.get("method", "")}
    if request.form.get("email", "").strip():
        body["email"] = request.form["email"].strip()
    if request.form.get("current_password"):
        body["current_password"] = request.form["current_password"]
    try:
        delivery = accounts.set_delivery(access.current_account(),
                                         access.current_user()["user_id"], body, actor())
    except DomainError as exc:
        forms.flash_refusal(exc, LABELS)
    else:
        if delivery.get("pending_email"):
            flash(f"We emailed {delivery['pending_email']} a link to confirm it. Bills go there "
                  "once it is followed; until then nothing changes.", "success")
        else:
            flash(f"Paperless: each new bill will be emailed to {delivery['email']}."
                  if delivery["method"] == "paperless"
                  else "Paper: each new bill will be printed and posted to the billing "
                       "address.", "success")
    return redirect(url_for("web.account"))


@bp.route("/confirm-invoice-email", methods=["GET", "POST"])
def confirm_invoice_email():
    """The page a paperless address's mailed link opens."""
    return forms.confirm_link(
        lambda token: billing.confirm_invoice_email(token, origin()),
        lambda found: {"message": f"Done: the account's bills will be emailed to "
                                  f"{found['email']}."},
        title="Confirm where bills go",
        text="Confirm that this account's paperless bills should be emailed to the address "
             "this link was sent to.",
        button="Send our bills to this address")
