"""The toll-fraud guard (issue 16): what customers send and read about their account's
alerts and international calling (GET/PUT /api/v1/accounts/{n}/international-calling,
GET /api/v1/accounts/{n}/fraud-alerts, POST …/fraud-alerts/{id}/expected), what staff list
(GET /internal/v1/fraud-cases) and what billing's fraud RPCs answer. The rules themselves are
billing's (services/billing/fraud_rules.py)."""
from marshmallow import Schema, fields, validate

from services.contracts import paging, validators
from services.contracts.formats import DATE_TIME

STATUSES = ("open", "expected")
RULES = ("costly_burst", "night_calls", "short_costly_calls", "simultaneous_calls",
         "international_while_blocked")
CASE_ID_FORM = "[0-9a-f-]{36}"


class InternationalCallingRequest(Schema):
    blocked = validators.Boolean(required=True, metadata={
        "description": "true: the network refuses international calls from the account's "
                       "lines; false: allowed again"})


class InternationalCalling(Schema):
    account_number = fields.String(required=True)
    blocked = fields.Boolean(required=True)
    changed_at = fields.String(allow_none=True, metadata=dict(
        DATE_TIME, description="when it was last blocked or allowed; null: never changed"))


class FraudCase(Schema):
    id = fields.String(required=True)
    account_number = fields.String(required=True)
    score = fields.Integer(required=True, metadata={
        "description": "0-100; a load scoring 50 or more is a case"})
    rules = fields.List(fields.String(validate=validate.OneOf(RULES)), required=True,
                        metadata={"description": "the rules that fired: " + ", ".join(RULES)})
    evidence = fields.Dict(required=True, metadata={
        "description": "per rule: the local day, how many calls, the account's usual figure "
                       "and the threshold (and the high-cost prefixes); never a number "
                       "dialled"})
    calls = fields.Integer(required=True, metadata={"description": "calls in the load"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "open | expected (an admin said the calls were theirs)"})
    raised_at = fields.String(required=True, metadata=DATE_TIME)
    marked_at = fields.String(allow_none=True, metadata=DATE_TIME)


class FraudCasePage(Schema):
    items = fields.List(fields.Nested(FraudCase), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class FraudAlertQuery(paging.ListQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES), metadata={
        "description": "open | expected; every one when left out"})


class StaffFraudCaseQuery(FraudAlertQuery):
    """``?status=&limit=&cursor=`` over every account."""
