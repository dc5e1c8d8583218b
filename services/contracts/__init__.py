"""Data-only contracts shared by the gateway and the services.

Service names, event types and payload schemas, domain error classes, and ``load`` (a payload
through its schema, InvalidInput otherwise). Nothing here imports nameko or SQLAlchemy, so any
internal team can depend on it.
"""
from services.contracts.loading import dump, load  # noqa: F401  (contracts.dump, .load)
