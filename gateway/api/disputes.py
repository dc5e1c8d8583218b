"""Disputes of statement lines: an admin or billing user disputes one line; anyone on the
account reads the account's disputes. Staff resolve them (gateway/staff/disputes.py)."""
from flask import request

from gateway.actors import actor
from gateway.api import ApiBlueprint
from gateway.auth import access
from gateway.clients import billing
from services.contracts.disputes import Dispute, DisputeListQuery, DisputePage, DisputeRequest

bp = ApiBlueprint("disputes", __name__, url_prefix="/api/v1", access=(access.ACCOUNT, "view"),
                  description="Disputes of statement lines.")


@bp.post("/accounts/<account_number>/statements/<invoice_number>/disputes")
@bp.arguments(DisputeRequest)
@bp.response(201, Dispute)
@bp.alt_response(403, description="Your role may not dispute a charge (viewers)")
@bp.alt_response(404, description="No such account, statement or line available to you")
@bp.alt_response(409, description="This line has, or had, a dispute (one per line)")
@bp.alt_response(422, description="More than the line's amount, a line that charges "
                                  "nothing, or a statement older than the latest two")
@bp.doc(operationId="openDispute")
@access.account_scope("pay")
def open_dispute(_validated, account_number, invoice_number):
    """Dispute a statement line

    Dispute up to the whole amount of one line (``line_id`` from the statement) of one of
    the account's two latest statements. While the dispute is open its amount is kept out
    of late fees and out of the autopay draft. Staff credit or reject it; you get a message
    and a mail either way. One dispute per line: once answered, a line is not disputed
    again. Emits ``billing.dispute_opened``."""
    return billing.open_dispute(account_number, invoice_number, request.get_json(), actor())


@bp.get("/accounts/<account_number>/disputes")
@bp.arguments(DisputeListQuery, location="query")
@bp.response(200, DisputePage)
@bp.alt_response(404, description="No such account available to you")
@bp.doc(operationId="listDisputes")
def list_disputes(query, account_number):
    """The account's disputes

    The account's disputes, newest first (``limit`` 1-100, ``cursor``), open and resolved,
    with what was credited."""
    return billing.list_disputes(account_number, query["limit"], query["cursor"])
