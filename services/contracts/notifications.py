"""Payload schemas of the notifications service's customer-facing RPCs (message centre and
preferences), shared with the gateway's API docs."""
from marshmallow import Schema, fields

from services.contracts import validators
from services.contracts.formats import DATE_TIME, Timestamp


class Notification(Schema):
    id = fields.String(required=True)
    category = fields.String(required=True, metadata={
        "description": "bill_ready | payment | reminders | security | welcome"})
    subject = fields.String(required=True)
    body = fields.String(required=True)
    created_at = Timestamp(required=True, metadata=DATE_TIME)
    read = fields.Boolean(required=True)


class NotificationPage(Schema):
    items = fields.List(fields.Nested(Notification), required=True)
    next_cursor = fields.String(allow_none=True)
    unread = fields.Integer(metadata={"description": "unread notices in all pages"})


class Channels(Schema):
    # true or false only: "yes", 1 or "on" would hide a client's mistake
    email = validators.Boolean(required=True)
    sms = validators.Boolean(required=True)


class NotificationPreferences(Schema):
    """Security alerts are not listed: they are always sent and cannot be turned off."""
    bill_ready = fields.Nested(Channels, required=True)
    payment = fields.Nested(Channels, required=True)
    reminders = fields.Nested(Channels, required=True)
    # added with usage alerts: a client that leaves it out keeps what the user had
    usage_alerts = fields.Nested(Channels, metadata={
        "description": "usage alerts (an account's spend thresholds and bill shock); "
                       "unchanged when left out"})


# --- staff reminder runs (send_reminders) ---

class ReminderRunRequest(Schema):
    run_date = fields.Date(required=True, validate=validators.run_date)


class ReminderRunResult(Schema):
    bill_due = fields.Integer(required=True)
    card_expiring = fields.Integer(required=True)
