"""Data-only contracts shared by the gateway and the services.

Service names, event types and payload schemas, domain error classes. Nothing here imports
nameko or SQLAlchemy, so any internal team can depend on it.
"""
