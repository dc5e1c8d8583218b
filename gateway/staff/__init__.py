"""The staff API (/internal/v1), guarded by ADMIN_TOKEN."""
import hmac

from flask import current_app, request

from gateway.api import ApiBlueprint
from services.contracts.errors import NotAllowed, Unauthenticated

bp = ApiBlueprint("staff", __name__, url_prefix="/internal/v1",
                  description="Staff operations: accounts, usage, bill runs, payment runs.")


@bp.before_request
def require_admin_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("The staff API needs 'Authorization: Bearer <ADMIN_TOKEN>'.")
    if not hmac.compare_digest(token.encode(), current_app.config["ADMIN_TOKEN"].encode()):
        raise NotAllowed("That token may not use the staff API.")


from gateway.staff import (accounts, bill_runs, payment_runs, reminder_runs,  # noqa: E402,F401
                           usage)  # (modules that register the routes)
