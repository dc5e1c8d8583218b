"""Portal pages: dashboard, billing history, statement detail (with its PDF and CSV)."""
from datetime import date

from flask import render_template, request

from gateway import downloads
from gateway.auth import access
from gateway.clients import billing as billing_client
from gateway.clients.accounts import account_summary
from gateway.web import bp

CHART_MONTHS = 12
CALLS_SHOWN = 200


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
    recent = billing_client.list_statements(number, CHART_MONTHS)["items"]
    return render_template("dashboard.html", summary=summary, bars=chart(recent))


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
    return render_template("statement.html", s=detail, calls=calls, calls_shown=CALLS_SHOWN)


@bp.get("/billing/<invoice_number>/statement.pdf")
@access.web_account_scope("view")
def statement_pdf(invoice_number):
    return downloads.statement_pdf(access.current_account(), invoice_number)


@bp.get("/billing/<invoice_number>/calls.csv")
@access.web_account_scope("view")
def statement_calls_csv(invoice_number):
    return downloads.calls_csv(access.current_account(), invoice_number)
