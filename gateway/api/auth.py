"""Sign-up, sign-in, refresh, sign-out and recovery."""
from gateway.api import ApiBlueprint

bp = ApiBlueprint("auth", __name__, url_prefix="/api/v1", description="Sign-up, sign-in, refresh, sign-out and recovery.")
