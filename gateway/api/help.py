"""Business support contacts and help topics."""
from gateway.api import ApiBlueprint

bp = ApiBlueprint("help", __name__, url_prefix="/api/v1", description="Business support contacts and help topics.")
