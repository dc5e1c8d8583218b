"""Portal pages: dashboard, billing history, statement detail (with its PDF and CSV)."""
import base64
from datetime import date

from flask import Response, render_template, request

from gateway.api.accounts import account_summary
from gateway.api.statements import calls_csv_response
from gateway.auth import access
from gateway.rpc import call
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
    recent = call("billing", "list_statements", number, CHART_MONTHS)["items"]
    return render_template("dashboard.html", summary=summary, bars=chart(recent))


@bp.get("/billing")
@access.web_account_scope("view")
def billing():
    number = access.current_account()
    page = call("billing", "list_statements", number, 12, request.args.get("cursor") or None)
    activity = call("billing", "get_activity", number, 50)["items"]
    return render_template("billing.html", account_number=number, page=page, activity=activity)


@bp.get("/billing/<invoice_number>")
@access.web_account_scope("view")
def statement(invoice_number):
    number = access.current_account()
    detail = call("billing", "get_statement", number, invoice_number)
    calls = call("billing", "get_statement_calls", number, invoice_number, CALLS_SHOWN)
    return render_template("statement.html", s=detail, calls=calls, calls_shown=CALLS_SHOWN)


@bp.get("/billing/<invoice_number>/statement.pdf")
@access.web_account_scope("view")
def statement_pdf(invoice_number):
    document = base64.b64decode(call("billing", "get_statement_pdf", access.current_account(),
                                     invoice_number, timeout=30))
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="statement-{invoice_number}.pdf"'})


@bp.get("/billing/<invoice_number>/calls.csv")
@access.web_account_scope("view")
def statement_calls_csv(invoice_number):
    return calls_csv_response(access.current_account(), invoice_number)
