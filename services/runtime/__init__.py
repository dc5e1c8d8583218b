"""What every BizPortal service runs on: configuration, the database dependency, the outbox
and its relay, reliable idempotent event handling, JSON logs and request ids.

No business rules live here.
"""
