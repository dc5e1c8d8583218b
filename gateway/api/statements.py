"""Statements, fee detail, PDF, call-history CSV and account activity."""
import base64
import functools
from concurrent.futures import ThreadPoolExecutor

from flask import Response, current_app, g, stream_with_context
from marshmallow import Schema, fields, validate

from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.rpc import call

DATE = {"format": "date"}  # an ISO 8601 date string, as the service sends it


bp = ApiBlueprint("statements", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "view"),
                  description="Statements, fee detail, PDF, call-history CSV and account activity.")

NOT_FOUND = {"description": "No such account or statement available to you"}
BINARY = {"type": "string", "format": "binary"}  # a download: generated clients keep it as bytes


class StatementPaging(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    cursor = fields.String(load_default=None)


class StatementItem(Schema):
    invoice_number = fields.String(required=True)
    statement_date = fields.String(required=True, metadata=DATE)
    due_date = fields.String(required=True, metadata=DATE)
    period_start = fields.String(metadata=DATE)
    period_end = fields.String(metadata=DATE)
    previous_balance_cents = fields.Integer(required=True)
    payments_cents = fields.Integer(required=True)
    adjustments_cents = fields.Integer(required=True)
    new_charges_cents = fields.Integer(required=True)
    amount_due_cents = fields.Integer(required=True)
    currency = fields.String()
    status = fields.String(required=True, metadata={
        "description": "open | past_due | paid | carried_forward"})


class StatementPage(Schema):
    items = fields.List(fields.Nested(StatementItem), required=True)
    next_cursor = fields.String(allow_none=True)


class StatementLine(Schema):
    description = fields.String(required=True)
    quantity = fields.Integer(required=True)
    amount_cents = fields.Integer(required=True)


class StatementSection(Schema):
    name = fields.String(required=True)
    code = fields.String()
    lines = fields.List(fields.Nested(StatementLine), required=True)
    subtotal_cents = fields.Integer(required=True)


class StatementDetail(StatementItem):
    sections = fields.List(fields.Nested(StatementSection), required=True)


class ActivityEntry(Schema):
    date = fields.String(required=True, metadata=DATE)
    kind = fields.String(required=True, metadata={
        "description": "charge | payment | credit | late_fee | adjustment | return"})
    description = fields.String(required=True)
    amount_cents = fields.Integer(required=True)
    balance_cents = fields.Integer(required=True)


class Activity(Schema):
    items = fields.List(fields.Nested(ActivityEntry), required=True)


@bp.get("/accounts/<account_number>/statements")
@bp.arguments(StatementPaging, location="query")
@bp.response(200, StatementPage)
@bp.alt_response(404, **NOT_FOUND)
@bp.doc(operationId="listStatements")
def list_statements(paging, account_number):
    """The account's statements

    The account's statements, newest first (``limit``, ``cursor``)."""
    return call("billing", "list_statements", account_number, paging["limit"], paging["cursor"])


@bp.get("/accounts/<account_number>/statements/<invoice_number>")
@bp.response(200, StatementDetail)
@bp.alt_response(404, **NOT_FOUND)
@bp.doc(operationId="getStatement")
def get_statement(account_number, invoice_number):
    """One statement, fee by fee

    One statement with its sections; the lines add up to ``new_charges_cents``."""
    return call("billing", "get_statement", account_number, invoice_number)


@bp.get("/accounts/<account_number>/statements/<invoice_number>/pdf")
@bp.doc(responses={"200": {"description": "The statement as the customer would print it",
                           "content": {"application/pdf": {"schema": BINARY}}}})
@bp.alt_response(404, **NOT_FOUND)
@bp.doc(operationId="getStatementPdf")
def get_statement_pdf(account_number, invoice_number):
    """A statement as a PDF

    The statement as the customer would print it (`application/pdf`), the account number
    and security key at the top."""
    document = base64.b64decode(call("billing", "get_statement_pdf", account_number,
                                     invoice_number, timeout=30))
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="statement-{invoice_number}.pdf"'})


# fetches the next CSV page from billing while the current one is being sent, so billing and
# the client's download overlap; each pool thread keeps its own pooled RPC proxy
_prefetch = ThreadPoolExecutor(max_workers=4, thread_name_prefix="csv-prefetch")


def calls_csv_response(account_number, invoice_number):
    """The call history of a statement's period as a streamed CSV: page after page from
    billing (the next one fetched while the current one is sent), each written out as it
    arrives, so memory stays flat whatever the size: at most two pages are held. The first
    page is fetched before answering, so an unknown invoice is still a 404."""
    client = current_app.extensions["rpc"]
    fetch = functools.partial(client.call, "billing", "get_calls_csv_page", account_number,
                              invoice_number, request_id=g.get("request_id"), timeout=30)
    first = fetch(None)

    def pages(page):
        while True:
            ahead = _prefetch.submit(fetch, page["cursor"]) if page["cursor"] else None
            yield page["csv"]
            if ahead is None:
                return
            page = ahead.result()

    return Response(stream_with_context(pages(first)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="calls-{invoice_number}.csv"'})


@bp.get("/accounts/<account_number>/statements/<invoice_number>/calls.csv")
@bp.doc(responses={"200": {"description": "header date,time,from,to,type,duration_seconds,"
                                          "charge; then one row per call of the period",
                           "content": {"text/csv": {"schema": BINARY}}}})
@bp.alt_response(404, **NOT_FOUND)
@bp.doc(operationId="getStatementCallsCsv")
def get_calls_csv(account_number, invoice_number):
    """A statement's call history as CSV

    The statement period's call history as CSV, streamed."""
    return calls_csv_response(account_number, invoice_number)


@bp.get("/accounts/<account_number>/activity")
@bp.response(200, Activity)
@bp.alt_response(404, **NOT_FOUND)
@bp.doc(operationId="getAccountActivity")
def get_activity(account_number):
    """The account's activity

    The ledger, newest first, with the balance after each entry."""
    return call("billing", "get_activity", account_number)
