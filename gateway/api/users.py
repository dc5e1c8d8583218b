"""Users of an account, invitations and roles."""
from gateway.api import ApiBlueprint

bp = ApiBlueprint("users", __name__, url_prefix="/api/v1", description="Users of an account, invitations and roles.")
