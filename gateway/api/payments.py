"""Payment methods, payments and autopay."""
from gateway.api import ApiBlueprint

bp = ApiBlueprint("payments", __name__, url_prefix="/api/v1", description="Payment methods, payments and autopay.")
