"""Staff: bill runs."""
from gateway.staff import bp  # noqa: F401  (routes are added to the staff blueprint)
