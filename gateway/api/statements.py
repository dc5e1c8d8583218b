"""Statements, fee detail, PDF, call-history CSV and account activity."""
from gateway.api import ApiBlueprint

bp = ApiBlueprint("statements", __name__, url_prefix="/api/v1", description="Statements, fee detail, PDF, call-history CSV and account activity.")
