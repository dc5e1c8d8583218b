"""Business accounts the caller may see, and their summary."""
from gateway.api import ApiBlueprint

bp = ApiBlueprint("accounts", __name__, url_prefix="/api/v1", description="Business accounts the caller may see, and their summary.")
