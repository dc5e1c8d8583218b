"""Portal pages: auth."""
from gateway.web import bp  # noqa: F401  (routes are added to the portal blueprint)
