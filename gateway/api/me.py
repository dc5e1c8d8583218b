"""The signed-in user."""
from gateway.api import ApiBlueprint

bp = ApiBlueprint("me", __name__, url_prefix="/api/v1", description="The signed-in user.")
