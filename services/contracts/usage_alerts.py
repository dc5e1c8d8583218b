"""Usage alerts: what an account's admins and billing users set (GET, PUT
/api/v1/accounts/{n}/usage-alerts) and what billing's usage-alert RPCs answer. Billing tells
the account (``billing.usage_threshold_crossed``) when this cycle's usage charges cross one of
the thresholds, and, with ``bill_shock``, when the cycle so far runs above 150 % of the last
three statements' average usage."""
from marshmallow import Schema, ValidationError, fields, post_load, validate, validates

from services.contracts import validators

MAX_THRESHOLDS = 10
MAX_THRESHOLD_CENTS = 10_000_000  # $100,000.00: far above any business line's month
BILL_SHOCK_PERCENT = 150
KINDS = ("threshold", "bill_shock")


class UsageAlerts(Schema):
    thresholds_cents = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, MAX_THRESHOLD_CENTS, error=(
            f"A whole number of cents from 1 to {MAX_THRESHOLD_CENTS:,}."))),
        required=True, metadata={
            "description": f"usage charges of a cycle, in cents, at which to be told (at most "
                           f"{MAX_THRESHOLDS}, each 1 to {MAX_THRESHOLD_CENTS:,}); answered "
                           f"in increasing order, each once"})
    bill_shock = validators.Boolean(required=True, metadata={
        "description": f"tell when the cycle so far runs above {BILL_SHOCK_PERCENT} % of the "
                       f"average usage of the last three statements (needs three)"})

    @validates("thresholds_cents")
    def _at_most(self, value, **_kwargs):
        if len(value) > MAX_THRESHOLDS:
            raise ValidationError(f"At most {MAX_THRESHOLDS} thresholds.")

    @post_load
    def _in_order(self, data, **_kwargs):
        # one notice per amount: the same amount twice is one threshold
        return dict(data, thresholds_cents=sorted(set(data["thresholds_cents"])))
