"""Disputes of statement lines: what customers send and read (POST /api/v1/accounts/{n}/
statements/{invoice}/disputes, GET /api/v1/accounts/{n}/disputes), what staff list and
resolve (GET /internal/v1/disputes, POST /internal/v1/disputes/{id}/resolution), and what
billing's dispute RPCs answer. A credited dispute's money is its credit (contracts.credits)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.contracts import paging, validators
from services.contracts.credits import MAX_CREDIT_CENTS
from services.contracts.formats import DATE_TIME

STATUSES = ("open", "credited", "rejected")
OUTCOMES = ("credited", "rejected")
TEXT_CHARS = 500
LINE_ID_FORM = "[0-9]{1,12}"


class DisputeRequest(Schema):
    line_id = fields.String(required=True, validate=validators.Pattern(
        validators.whole(LINE_ID_FORM), error="Not a line of a statement."), metadata={
        "description": "`line_id` of one line of this statement"})
    amount_cents = fields.Integer(required=True, strict=True,
                                  validate=validate.Range(1, MAX_CREDIT_CENTS), metadata={
                                      "description": "what is disputed: at most the line's "
                                                     "amount"})
    reason = fields.String(required=True, validate=validators.text(1, TEXT_CHARS), metadata={
        "description": "what is wrong with the charge"})


class Dispute(Schema):
    id = fields.String(required=True)
    account_number = fields.String(required=True)
    invoice_number = fields.String(required=True)
    line_id = fields.String(required=True)
    line_description = fields.String(required=True)
    amount_cents = fields.Integer(required=True, metadata={"description": "disputed"})
    currency = fields.String(required=True)
    reason = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={
        "description": "open | credited | rejected"})
    opened_at = fields.String(required=True, metadata=DATE_TIME)
    resolved_at = fields.String(allow_none=True, metadata=DATE_TIME)
    resolution_note = fields.String(allow_none=True)
    credited_cents = fields.Integer(allow_none=True, metadata={
        "description": "what the account was credited, when credited"})
    credit_id = fields.String(allow_none=True)


class DisputePage(Schema):
    items = fields.List(fields.Nested(Dispute), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


class DisputeListQuery(paging.ListQuery):
    """``?limit=&cursor=`` (contracts.paging)."""


class StaffDisputeQuery(DisputeListQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES), metadata={
        "description": "open | credited | rejected; every dispute when left out"})


class ResolutionRequest(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    amount_cents = fields.Integer(load_default=None, strict=True,
                                  validate=validate.Range(1, MAX_CREDIT_CENTS), metadata={
                                      "description": "credited only: what to credit, at most "
                                                     "the disputed amount (the whole of it "
                                                     "when left out)"})
    note = fields.String(required=True, validate=validators.text(1, TEXT_CHARS), metadata={
        "description": "what the customer is told"})

    @validates_schema
    def _amount_only_when_credited(self, data, **_):
        if data.get("outcome") == "rejected" and data.get("amount_cents") is not None:
            raise ValidationError("A rejected dispute credits nothing.", "amount_cents")
