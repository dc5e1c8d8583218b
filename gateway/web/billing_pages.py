"""Portal pages: dashboard, billing history, statement detail (with its PDF and CSV, its
adjustments, and its disputes: admins and billing users dispute a line there)."""
from datetime import date

from flask import g, redirect, render_template, request, url_for

from gateway import downloads
from gateway.actors import actor
from gateway.auth import access
from gateway.clients import billing as billing_client
from gateway.clients.accounts import account_summary
from gateway.web import bp, forms, fraud_pages, usage_card
from gateway.web.pay_pages import dollars_to_cents
from services.contracts import roles

CHART_MONTHS = 12
CALLS_SHOWN = 200
RECENT_CREDITS = 3
DISPUTE_LABELS = {"line_id": "Charge to dispute", "amount_cents": "Amount to dispute",
                  "reason": "Reason"}


def _month(iso_date):
    day = date.fromisoformat(iso_date[:10])
    return f"{day:%b} {day.year}"


def chart(statements):
    """Bars for the last statements' amounts, oldest first, as plain numbers for an SVG."""
    items = list(reversed(statements))
    top = max([s["amount_due_cents"] for s in items] + [1])
    return [{"label": _month(s["statement_date"]), "cents": s["amount_due_cents"],
             "height": round(160 * max(s["amount_due_cents"], 0) / top)} for s in items]


@bp.get("/dashboard")
@access.web_account_scope("view")
def dashboard():
    number = access.current_account()
    summary = account_summary(number)
    if (summary.get("closure") or {}).get("read_only_ended"):  # its reads are refused now
        return render_template("dashboard.html", summary=summary, bars=[], open_disputes=[],
                               credits=[])
    recent = billing_client.list_statements(number, CHART_MONTHS)["items"]
    disputes = [d for d in billing_client.list_disputes(number, 100)["items"]
                if d["status"] == "open"]
    credits = [e for e in billing_client.get_activity(number, 50)["items"]
               if e["kind"] == "credit"][:RECENT_CREDITS]
    usage = billing_client.get_current_usage(number)
    return render_template("dashboard.html", summary=summary, bars=chart(recent),
                           open_disputes=disputes, credits=credits, usage=usage,
                           usage_bars=usage_card.daily_bars(usage),
                           call_type_names=usage_card.CALL_TYPE_NAMES,
                           fraud_alerts=fraud_pages.open_alerts(number),
                           may_manage=roles.allows(g.get("account_role"), "manage"))


@bp.get("/billing")
@access.web_account_scope("view")
def billing():
    number = access.current_account()
    page = billing_client.list_statements(number, 12, request.args.get("cursor") or None)
    activity = billing_client.get_activity(number, 50)["items"]
    return render_template("billing.html", account_number=number, page=page, activity=activity)


@bp.get("/billing/<invoice_number>")
@access.web_account_scope("view")
def statement(invoice_number):
    number = access.current_account()
    detail = billing_client.get_statement(number, invoice_number)
    calls = billing_client.get_statement_calls(number, invoice_number, CALLS_SHOWN)
    disputes = billing_client.list_disputes(number, 100, None, invoice_number)["items"]
    # a line is disputed once, on one of the two latest statements (billing/disputes.py)
    latest = {s["invoice_number"] for s in billing_client.list_statements(number, 2)["items"]}
    disputed = {d["line_id"] for d in disputes}
    disputable = [line for section in detail["sections"] for line in section["lines"]
                  if line["amount_cents"] > 0 and line["line_id"] not in disputed
                  and invoice_number in latest]
    changes = billing_client.get_statement_changes(number, invoice_number)
    summary = billing_client.get_account_summary(number)  # a closed account's banner
    return render_template("statement.html", s=detail, changes=changes, calls=calls,
                           calls_shown=CALLS_SHOWN, summary=summary,
                           disputes=disputes, disputable=disputable,
                           may_dispute=roles.allows(g.account_role, "pay"))


@bp.post("/billing/<invoice_number>/disputes")
@access.web_account_scope("pay")
def dispute_line(invoice_number):
    """The statement page's "Dispute a charge" form: the same RPC as the API's openDispute."""
    form = forms.posted()

    def change():
        body = {"line_id": form.get("line_id", ""), "reason": form.get("reason", ""),
                "amount_cents": dollars_to_cents(form.get("amount"))}
        return billing_client.open_dispute(access.current_account(), invoice_number, body,
                                           actor())
    forms.submit(change, lambda d: f"Your dispute of {d['line_description']} is open: we "
                                   f"will answer it by message and mail.",
                 lambda exc: forms.flash_refusal(exc, DISPUTE_LABELS))
    return redirect(url_for("web.statement", invoice_number=invoice_number) + "#disputes")


@bp.get("/billing/<invoice_number>/statement.pdf")
@access.web_account_scope("view")
def statement_pdf(invoice_number):
    return downloads.statement_pdf(access.current_account(), invoice_number)


@bp.get("/billing/<invoice_number>/calls.csv")
@access.web_account_scope("view")
def statement_calls_csv(invoice_number):
    return downloads.calls_csv(access.current_account(), invoice_number)
