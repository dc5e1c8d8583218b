"""Staff: loading usage (call detail records)."""
from flask import request

from gateway.clients import billing
from gateway.staff import bp
from services.contracts.billing import UsageAccepted, UsageRequest

USAGE_MAX_BYTES = 16 * 1024 * 1024  # 50,000 calls of ~150 bytes; other bodies keep the app's cap


@bp.post("/accounts/<account_number>/usage")
@bp.doc(operationId="loadUsage", requestBody={"required": True,
                                     "content": {"application/json": {"schema": UsageRequest}}})
@bp.response(202, UsageAccepted)
@bp.alt_response(400, description="Invalid calls (field errors by call index); nothing loaded")
@bp.alt_response(404, description="Unknown account")
@bp.alt_response(422, description="A closed account: nothing new is loaded for it")
def load_usage(account_number):
    """Load call detail records

    Load call detail records for an account, all or nothing; duplicates are ignored.
    """
    # The body is validated by billing, not here: batches are large, and billing's checks
    # (the same rules as the documented schema) cost a fraction of a marshmallow load per call.
    request.max_content_length = USAGE_MAX_BYTES
    return billing.load_usage(account_number, request.get_json(silent=True))
