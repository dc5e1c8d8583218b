"""An example payload for each event of the catalogue, for the AsyncAPI document.

Made from the fields' names (the same name means the same thing in every event) and, where a
field allows only some values, the first of them; tests/unit/test_asyncapi.py checks that
each example is one its event's schema accepts. Made-up values only: no real person's data.
"""
from marshmallow import fields, validate

BY_NAME = {
    "account_number": "8000123456789018",  # 16 digits, the last a Luhn check digit
    "user_id": "5b0f7e0c-4a8d-4d51-9f43-2f1d6c1e8a27",
    "actor_user_id": "5b0f7e0c-4a8d-4d51-9f43-2f1d6c1e8a27",
    "session_id": "0d6c3c8e-1f5e-4b8e-a3d0-7c9b4e2f1a60",
    "invitation_id": "9a1e4c2b-6d7f-4e3a-8b5c-1d2e3f4a5b6c",
    "notification_id": "c2d4e6f8-0a1b-4c3d-9e5f-6a7b8c9d0e1f",
    "payment_id": "f3a9c1d2-7b4e-4f6a-8c2d-9e0f1a2b3c4d",
    "payment_method_id": "a7b8c9d0-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
    "username": "rosa.diaz",
    "email": "ap@harbor-dental.example",
    "delivery_email": "ap@harbor-dental.example",
    "first_name": "Rosa",
    "contact_name": "Priya Natarajan",
    "company_name": "Harbor Dental",
    "role": "admin",
    "ip": "203.0.113.7",  # documentation address range (RFC 5737)
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    "what": "security_code",
    "detail": None,
    "at": "2026-10-15T14:02:11+00:00",
    "reason": "card_declined",
    "bill_cycle_day": 15,
    "invoice_number": "INV-2026-10-000123",
    "statement_date": "2026-10-15",
    "due_date": "2026-11-09",
    "scheduled_for": "2026-11-01",
    "amount_due_cents": 48_250,
    "amount_cents": 48_250,
    "balance_cents": 0,
    "currency": "USD",
    "method": "paperless",
    "invoice_delivery": "paperless",
    "type": "card",
    "method_type": "card",
    "last4": "4242",
    "enabled": True,
    "will_retry": False,
    "past_due_cents": 48_250,
    "days_past_due": 30,
    "suspend_on": "2026-12-09",
    "suspended_on": "2026-12-09",
    "restored_on": "2026-12-11",
    "retry_on": None,
    "fields": ["phone", "billing_address"],
    "channel": "email",
    "category": "billing",
    "credit_id": "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8",
    "dispute_id": "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
    "line_id": "4812",
    "note": "The second line was billed twice in October",
    "outcome": "credited",
    "status": "open",
    "opened_by": "5b0f7e0c-4a8d-4d51-9f43-2f1d6c1e8a27",
    "line_description": "Voice line",
    "credited_cents": 2_500,
    "refund_id": "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
    "refunded_cents": 12_500,
    "case_id": "6d7e8f90-a1b2-4c3d-8e4f-0a1b2c3d4e5f",
    "max_amount_cents": 40_000,
    "notice_days": 3,
    "exp_month": 10,
    "exp_year": 2026,
}
# where a name means something particular in one event
IN_EVENT = {
    ("identity.session_ended", "reason"): "signed_out",
    ("identity.security_alert_raised", "what"): "security code changed",
    ("identity.security_alert_raised", "kind"): "security",
    ("payments.payment_canceled", "reason"): "the user who scheduled it left the account",
    ("notifications.notification_sent", "category"): "bill_ready",
    ("billing.payment_overdue", "days_past_due"): 7,
    ("billing.payment_overdue", "stage"): 7,
    ("billing.credit_issued", "reason"): "Outage of Oct 3, one day of internet",
    ("billing.credit_issued", "via"): "staff",
    ("billing.dispute_opened", "reason"): "The second line was billed twice in October",
    ("billing.dispute_resolved", "reason"): "The second line was billed twice in October",
    ("billing.dispute_resolved", "amount_cents"): 2_500,
    ("billing.fraud_suspected", "rules"): ["costly_burst", "night_calls"],
    ("billing.fraud_suspected", "evidence"): {
        "costly_burst": {"day": "2026-10-14", "calls": 84, "usual": 3, "threshold": 12,
                         "top_prefixes": ["+882", "+53"]},
        "night_calls": {"day": "2026-10-14", "calls": 84, "usual": 0, "threshold": 6}},
    ("billing.fraud_suspected", "score"): 100,
    ("billing.fraud_suspected", "calls"): 412,
    ("billing.fraud_suspected", "raised_at"): "2026-10-15T02:14:09+00:00",
    ("billing.international_calling_changed", "blocked"): True,
    ("payments.payment_refunded", "reason"): "Charged twice for the October invoice",
    ("payments.payment_refunded", "amount_cents"): 12_500,
    ("billing.usage_threshold_crossed", "threshold_cents"): 5_000,
    ("billing.usage_threshold_crossed", "usage_cents"): 5_210,
    ("billing.usage_threshold_crossed", "baseline_cents"): 2_140,
    ("billing.usage_threshold_crossed", "cycle_start"): "2026-11-15",
    ("billing.usage_threshold_crossed", "cycle_end"): "2026-12-15",
    ("billing.services_changed", "changes"): [
        {"code": "VOICE-LINE", "old_quantity": 2, "new_quantity": 3}],
    ("billing.services_changed", "credit_cents"): -3289,
    ("billing.services_changed", "charge_cents"): 4934,
}
BY_KIND = {fields.String: "text", fields.Integer: 1, fields.Boolean: True,
           fields.Date: "2026-10-15"}


def _value(event, name, field):
    if (event.type, name) in IN_EVENT:
        return IN_EVENT[event.type, name]
    choices = next((v.choices for v in field.validators if isinstance(v, validate.OneOf)), None)
    if choices:
        return next(iter(choices))
    if name in BY_NAME:
        return BY_NAME[name]
    return BY_KIND.get(type(field), "text")


def data(event):
    """An example ``data`` for ``event`` (an events.EventType), with every field filled."""
    return {name: _value(event, name, field) for name, field in event.schema().fields.items()}


def envelope(event):
    """A whole example message body of ``event``."""
    return {
        "event_id": "7e57a1e0-3c5b-4f0a-9a63-2d1f0b8c6e4d",
        "type": event.type,
        "occurred_at": "2026-10-15T14:02:11.482913+00:00",
        "source": event.source,
        "version": event.version,
        "request_id": "3f2c9b1a7d4e4f60",
        "data": data(event),
    }
