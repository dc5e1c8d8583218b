"""Payload schemas of the bill's insight: the month so far and why a bill changed (billing's
RPCs, shared with the gateway's API docs)."""
from marshmallow import Schema, fields, validate

from services.contracts.billing import CALL_TYPES
from services.contracts.formats import DATE, DATE_TIME

CHANGE_KINDS = ("service_added", "service_removed", "quantity_changed", "price_changed",
                "proration", "usage", "late_fee", "credit", "tax")

class UsageByType(Schema):
    call_type = fields.String(required=True, validate=validate.OneOf(CALL_TYPES))
    calls = fields.Integer(required=True)
    seconds = fields.Integer(required=True)
    charge_cents = fields.Integer(required=True, metadata={
        "description": "as the bill run rates them (local calls are included: 0)"})


class UsageDay(Schema):
    date = fields.String(required=True, metadata={**DATE, "description": "UTC day"})
    calls = fields.Integer(required=True)
    charge_cents = fields.Integer(required=True)


class CurrentUsage(Schema):
    account_number = fields.String(required=True)
    period_start = fields.String(required=True, metadata={
        **DATE, "description": "first day of the usage the next statement bills"})
    period_end = fields.String(required=True, metadata={
        **DATE, "description": "the next statement's date; its usage ends the day before"})
    statement_date = fields.String(required=True, metadata=DATE)
    as_of = fields.String(required=True, metadata=DATE_TIME)
    usage = fields.List(fields.Nested(UsageByType), required=True, metadata={
        "description": "every call type, unbilled calls of the period so far"})
    daily = fields.List(fields.Nested(UsageDay), required=True, metadata={
        "description": "the usage charges of each day with calls, oldest first"})
    services_cents = fields.Integer(required=True, metadata={
        "description": "the services for the month ahead and any prorated service changes"})
    usage_cents = fields.Integer(required=True)
    estimated_taxes_cents = fields.Integer(required=True)
    estimated_total_cents = fields.Integer(required=True, metadata={
        "description": "the new charges the next statement would carry if it were issued "
                       "now: services + usage + taxes; payments and credits are not in it"})
    currency = fields.String(required=True)


class ChangeReason(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(CHANGE_KINDS))
    section = fields.String(required=True, metadata={
        "description": "internet | voice | tv | add-ons | taxes | adjustments"})
    description = fields.String(required=True, metadata={
        "description": "plain language, e.g. \"3 more international calls: +$4.20\""})
    change_cents = fields.Integer(required=True)


class StatementChanges(Schema):
    invoice_number = fields.String(required=True)
    previous_invoice_number = fields.String(required=True, allow_none=True, metadata={
        "description": "null on the account's first statement"})
    previous_total_cents = fields.Integer(required=True, allow_none=True)
    total_cents = fields.Integer(required=True, metadata={
        "description": "what the statement charged: its new charges plus its late fees and "
                       "credits (payments, refunds and returned payments are not charges)"})
    change_cents = fields.Integer(required=True, metadata={
        "description": "total_cents - previous_total_cents; 0 on the first statement"})
    reasons = fields.List(fields.Nested(ChangeReason), required=True, metadata={
        "description": "they add up exactly to change_cents; empty on the first statement"})
    currency = fields.String(required=True)
