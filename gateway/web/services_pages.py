"""Portal page /services: what the current account has, and, for its admins, changing the
self-service products (extra voice lines, static IPs, speed tiers) with a preview first and
then a confirmation, through the same billing RPC as the API (gateway.clients)."""
from flask import flash, g, redirect, render_template, request, url_for

from gateway.actors import actor
from gateway.auth import access
from gateway.clients import billing
from gateway.web import bp, forms
from services.contracts import roles
from services.contracts.errors import DomainError
from services.runtime import clock

LABELS = {"effective_date": "Effective date", "changes": "Services", "_schema": "Services"}


def _asked(held):
    """``(body, form)`` from the posted quantities (one field per self-service product,
    ``quantity-<code>``) and the effective date; ``body`` is None when a quantity is not a
    whole number (flashed)."""
    form = forms.posted()
    changes, fine = [], True
    for product in held["self_service_products"]:
        typed = form.get(f"quantity-{product['code']}", "")
        if not typed.isdigit():
            flash(f"{product['name']}: enter a whole number from 0 to 999.", "error")
            fine = False
            continue
        changes.append({"code": product["code"], "quantity": int(typed)})
    body = {"changes": changes}
    if form.get("effective_date"):
        body["effective_date"] = form["effective_date"]
    return (body if fine else None), form


def _page(held, preview=None, form=None):
    quantities = {i["code"]: i["quantity"] for i in held["items"]}
    return render_template(
        "services.html", held=held, preview=preview, quantities=quantities,
        form=form or {}, today=clock.today().isoformat(),
        may_manage=roles.allows(g.get("account_role"), "manage"),
        account_number=access.current_account())


@bp.get("/services")
@access.web_account_scope("view")
def services():
    return _page(billing.get_account_services(access.current_account()))


def _change(preview):
    number = access.current_account()
    held = billing.get_account_services(number)
    body, form = _asked(held)
    if body is None:
        return _page(held, form=form)
    try:
        answer = billing.change_account_services(number, {**body, "preview": preview},
                                                 self_service=True, actor=actor())
    except DomainError as exc:
        forms.flash_refusal(exc, LABELS)
        return _page(held, form=form)
    if preview:
        if not answer["changes"]:
            flash("Those are the quantities you have now: nothing to change.", "error")
        return _page(held, preview=answer, form=form)
    flash("Your services are changed. The next statement shows the credit and the charge."
          if answer["changes"] else "Nothing changed: those are the quantities you have.",
          "success")
    return redirect(url_for("web.services"))


@bp.post("/services/preview")
@access.web_account_scope("manage")
def services_preview():
    return _change(preview=True)


@bp.post("/services/change")
@access.web_account_scope("manage")
def services_change():
    return _change(preview=False)
