"""The staff API (/internal/v1), guarded by ADMIN_TOKEN."""
from gateway.api import ApiBlueprint
from gateway.auth import access

# every staff view needs ADMIN_TOKEN (gateway.auth checks it before anything else)
bp = ApiBlueprint("staff", __name__, url_prefix="/internal/v1", access=(access.STAFF, None),
                  description="Staff operations: accounts, credits, disputes, fraud cases, "
                              "service changes, closure, usage, bill runs, payment runs, "
                              "collections runs, refunds, dead letters.")


from gateway.staff import (accounts, bill_runs, closure, collection_runs,  # noqa: E402,F401
                           credits, dead_letters, disputes, fraud_cases, payment_runs, refunds,
                           reminder_runs, service_changes, usage)  # (modules that register the routes)
