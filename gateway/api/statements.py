"""Statements, fee detail, PDF, call-history CSV and account activity."""
from gateway import downloads
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import billing
from services.contracts import paging
from services.contracts.billing import Activity, StatementDetail, StatementPage

bp = ApiBlueprint("statements", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "view"),
                  description="Statements, fee detail, PDF, call-history CSV and account activity.")

NOT_FOUND = {"description": "No such account or statement available to you"}
BINARY = {"type": "string", "format": "binary"}  # a download: generated clients keep it as bytes

# billing refuses a closed account's reads once its read-only months are over
CLOSED_READ_ONLY_ENDED = {"description": "The account was closed and its read-only access "
                                         "(18 months) has ended"}


@bp.get("/accounts/<account_number>/statements")
@bp.arguments(paging.ListQuery, location="query")
@bp.response(200, StatementPage)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(422, **CLOSED_READ_ONLY_ENDED)
@bp.doc(operationId="listStatements")
def list_statements(paging, account_number):
    """The account's statements

    The account's statements, newest first (``limit``, ``cursor``)."""
    return billing.list_statements(account_number, paging["limit"], paging["cursor"])


@bp.get("/accounts/<account_number>/statements/<invoice_number>")
@bp.response(200, StatementDetail)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(422, **CLOSED_READ_ONLY_ENDED)
@bp.doc(operationId="getStatement")
def get_statement(account_number, invoice_number):
    """One statement, fee by fee

    One statement with its sections; the lines add up to ``new_charges_cents``."""
    return billing.get_statement(account_number, invoice_number)


@bp.get("/accounts/<account_number>/statements/<invoice_number>/pdf")
@bp.doc(responses={"200": {"description": "The statement as the customer would print it",
                           "content": {"application/pdf": {"schema": BINARY}}}})
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(422, **CLOSED_READ_ONLY_ENDED)
@bp.doc(operationId="getStatementPdf")
def get_statement_pdf(account_number, invoice_number):
    """A statement as a PDF

    The statement as the customer would print it (`application/pdf`), the account number
    and security key at the top."""
    return downloads.statement_pdf(account_number, invoice_number)


@bp.get("/accounts/<account_number>/statements/<invoice_number>/calls.csv")
@bp.doc(responses={"200": {"description": "header date,time,from,to,type,duration_seconds,"
                                          "charge; then one row per call of the period",
                           "content": {"text/csv": {"schema": BINARY}}}})
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(422, **CLOSED_READ_ONLY_ENDED)
@bp.doc(operationId="getStatementCallsCsv")
def get_calls_csv(account_number, invoice_number):
    """A statement's call history as CSV

    The statement period's call history as CSV, streamed."""
    return downloads.calls_csv(account_number, invoice_number)


@bp.get("/accounts/<account_number>/activity")
@bp.response(200, Activity)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(422, **CLOSED_READ_ONLY_ENDED)
@bp.doc(operationId="getAccountActivity")
def get_activity(account_number):
    """The account's activity

    The ledger, newest first, with the balance after each entry."""
    return billing.get_activity(account_number)
