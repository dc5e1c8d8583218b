"""Payload schemas of the billing service's RPCs, shared with the gateway's API docs."""
from marshmallow import Schema, fields, post_load, validate

from services.contracts import validators
from services.contracts.closure import AccountClosure
from services.contracts.formats import DATE, DATE_TIME, Day, Timestamp

ACCOUNT_NUMBER = validators.ACCOUNT_NUMBER


class Address(Schema):
    line1 = fields.String(required=True, validate=validators.text(1, 100))
    line2 = fields.String(load_default=None, allow_none=True,
                          validate=validators.text(max_length=100))
    city = fields.String(required=True, validate=validators.text(1, 60))
    state = fields.String(required=True, validate=validators.state)
    postal_code = fields.String(required=True, validate=validators.postal_code)

    @post_load
    def normalise(self, data, **_):
        data["state"] = validators.state(data["state"])
        return data


class ServiceLine(Schema):
    code = fields.String(required=True, validate=validators.text(1, 40))
    quantity = fields.Integer(load_default=1, validate=validate.Range(1, 999))


class OpenAccountRequest(Schema):
    company_name = fields.String(required=True, validate=validators.text(1, 120))
    contact_name = fields.String(required=True, validate=validators.text(1, 120))
    email = fields.String(required=True, validate=validators.email)
    phone = fields.String(required=True, validate=validators.phone)
    billing_address = fields.Nested(Address, required=True)
    bill_cycle_day = fields.Integer(required=True, validate=validate.Range(1, 28))
    services = fields.List(fields.Nested(ServiceLine), load_default=list,
                           validate=validate.Length(max=50))

    @post_load
    def normalise(self, data, **_):
        # the validators passed, so these only canonicalise (E.164, lower-case domain)
        data["email"] = validators.email(data["email"])
        data["phone"] = validators.phone(data["phone"])
        return data


class OpenedAccount(Schema):
    account_number = fields.String(required=True)
    security_key = fields.String(required=True)


class ReissuedSecurityKey(Schema):
    """The account's new security key, answered once; the old one no longer matches."""
    account_number = fields.String(required=True)
    security_key = fields.String(required=True)


class Product(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    section = fields.String(required=True)
    monthly_cents = fields.Integer(required=True)
    self_service = fields.Boolean(required=True, metadata={
        "description": "an account's admins may change it themselves (/services)"})


class ProductList(Schema):
    items = fields.List(fields.Nested(Product), required=True)


# what billing/usage.py enforces by hand, faster, on batches of thousands (a unit test proves
# the two agree): one place for the limits, read by both
MAX_CALLS = 50_000
MAX_CALL_SECONDS = 7 * 24 * 3600
E164 = r"^\+[1-9][0-9]{6,14}$"
CALL_TYPES = ("local", "long_distance", "international")


class Call(Schema):
    """One call detail record (the service validates usage with the same rules, faster)."""
    started_at = fields.AwareDateTime(required=True)
    from_number = fields.String(required=True, validate=validators.Pattern(E164),
                                metadata={"example": "+14155550142"})
    to_number = fields.String(required=True, validate=validators.Pattern(E164),
                              metadata={"example": "+442071234567"})
    duration_seconds = fields.Integer(required=True, strict=True,
                                      validate=validate.Range(0, MAX_CALL_SECONDS))
    call_type = fields.String(required=True, validate=validate.OneOf(CALL_TYPES))


class UsageRequest(Schema):
    calls = fields.List(fields.Nested(Call), required=True,
                        validate=validate.Length(1, MAX_CALLS))


class UsageAccepted(Schema):
    accepted = fields.Integer(required=True, metadata={"description": "calls newly stored"})
    duplicates = fields.Integer(metadata={"description": "calls already loaded, ignored"})


class BillRunRequest(Schema):
    statement_date = fields.Date(required=True, validate=validators.run_date)
    account_numbers = fields.List(fields.String(validate=ACCOUNT_NUMBER), load_default=None,
                                  validate=validate.Length(min=1, max=10_000))


class BillRunResult(Schema):
    statements_issued = fields.Integer(required=True)


class CollectionRunRequest(Schema):
    run_date = fields.Date(required=True, validate=validators.run_date)
    account_numbers = fields.List(fields.String(validate=ACCOUNT_NUMBER), load_default=None,
                                  validate=validate.Length(min=1, max=10_000), metadata={
                                      "description": "only these accounts (default: every "
                                                     "account)"})


class CollectionRunResult(Schema):
    reminders_sent = fields.Integer(required=True, metadata={
        "description": "past-due reminders (1, 7 or 14 days) newly sent"})
    suspended = fields.Integer(required=True, metadata={
        "description": "accounts suspended: past due SUSPEND_AFTER_DAYS or more"})
    restored = fields.Integer(required=True, metadata={
        "description": "suspended accounts restored: nothing past due any more"})


# --- company profile and invoice delivery (customer API and billing RPCs) ---

METHODS = ("paperless", "paper")


class CompanyProfile(Schema):
    company_name = fields.String(required=True)
    contact_name = fields.String(required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True, metadata={"description": "E.164"})
    billing_address = fields.Nested(Address, required=True)


class AccountProfile(CompanyProfile):
    """billing's get_profile answer: the profile with the account it belongs to."""
    account_number = fields.String(required=True)


class CompanyProfileChange(Schema):
    """A PATCH of the profile: any of the fields, each validated as when the account opened."""
    company_name = fields.String(validate=validators.text(1, 120))
    contact_name = fields.String(validate=validators.text(1, 120))
    email = fields.String(validate=validators.email)
    phone = fields.String(validate=validators.phone)
    billing_address = fields.Nested(Address, metadata={"description": "the whole address"})


class DeliveryChange(Schema):
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    email = fields.String(load_default=None, allow_none=True, validate=validators.email)
    # no email: paperless bills go to the company's email


class InvoiceDelivery(Schema):
    method = fields.String(required=True, validate=validate.OneOf(METHODS))
    email = fields.String(allow_none=True)
    pending_email = fields.String(allow_none=True, metadata={
        "description": "a new address waiting for the link mailed to it; bills go to "
                       "`email` (or on paper) until it is followed"})


# --- what payments asks before it charges (billing.get_payment_allowance) ---

class PaymentAllowance(Schema):
    """The most one payment may be: the balance plus one month ahead (the largest amount due
    of the last three statements), never below 0."""
    account_number = fields.String(required=True)
    balance_cents = fields.Integer(required=True)
    amount_due_cents = fields.Integer(required=True)
    ahead_cents = fields.Integer(required=True)
    max_payment_cents = fields.Integer(required=True)
    currency = fields.String(required=True)
    disputed_cents = fields.Integer(metadata={
        "description": "what open disputes hold: left out of amount_due_cents"})
    applied_payment_ids = fields.List(fields.String(), required=True, metadata={
        "description": "of the payment ids asked about, those this balance already credits"})


# --- what the customer API answers about statements, activity and the account summary ---
# (the summary is billing's get_account_summary plus payments' autopay, joined by the
# gateway's clients)

class StatementItem(Schema):
    invoice_number = fields.String(required=True)
    statement_date = Day(required=True, metadata=DATE)
    due_date = Day(required=True, metadata=DATE)
    period_start = Day(metadata=DATE)
    period_end = Day(metadata=DATE)
    previous_balance_cents = fields.Integer(required=True)
    payments_cents = fields.Integer(required=True)
    adjustments_cents = fields.Integer(required=True)
    new_charges_cents = fields.Integer(required=True)
    amount_due_cents = fields.Integer(required=True)
    currency = fields.String()
    status = fields.String(required=True, metadata={
        "description": "open | past_due | paid | carried_forward"})


class StatementPage(Schema):
    items = fields.List(fields.Nested(StatementItem), required=True)
    next_cursor = fields.String(allow_none=True)


class StatementLine(Schema):
    line_id = fields.String(required=True, metadata={  # every line has one: a client needs
        "description": "stable id of the line: what a dispute names (an API addition)"})
    description = fields.String(required=True)
    quantity = fields.Integer(required=True)
    amount_cents = fields.Integer(required=True)


class StatementSection(Schema):
    name = fields.String(required=True)
    code = fields.String()
    lines = fields.List(fields.Nested(StatementLine), required=True)
    subtotal_cents = fields.Integer(required=True)


class StatementAdjustment(Schema):
    """A credit, late fee, return or fee that first appeared on this statement."""
    date = Day(required=True, metadata=DATE)
    kind = fields.String(required=True, metadata={
        "description": "credit | late_fee | adjustment | return"})
    description = fields.String(required=True)
    amount_cents = fields.Integer(required=True, metadata={"description": "negative = credit"})


class StatementAccount(Schema):
    """Whom a statement is addressed to: what the PDF prints (not in the API's answer)."""
    account_number = fields.String(required=True)
    company_name = fields.String(required=True)
    contact_name = fields.String(required=True)
    billing_address = fields.Nested(Address, required=True)


class StatementDetail(StatementItem):
    sections = fields.List(fields.Nested(StatementSection), required=True)
    adjustments = fields.List(fields.Nested(StatementAdjustment), metadata={
        "description": "what makes up `adjustments_cents`, oldest first"})
    final = fields.Boolean(metadata={
        "description": "true for a closed account's final statement"})


class ActivityEntry(Schema):
    date = fields.String(required=True, metadata=DATE)
    kind = fields.String(required=True, metadata={
        "description": "charge | payment | credit | late_fee | adjustment | return | refund"})
    description = fields.String(required=True)
    amount_cents = fields.Integer(required=True)
    balance_cents = fields.Integer(required=True)


class Activity(Schema):
    items = fields.List(fields.Nested(ActivityEntry), required=True)


class AccountDue(Schema):
    """One account of billing's get_account_summaries: what it owes, as the summary says."""
    account_number = fields.String(required=True)
    company_name = fields.String(required=True)
    amount_due_cents = fields.Integer(required=True)
    currency = fields.String(required=True)
    due_date = Day(allow_none=True, metadata=DATE)


class SummaryLastPayment(Schema):
    amount_cents = fields.Integer(required=True)
    paid_at = Timestamp(required=True, metadata=DATE_TIME)


class SummaryLastRefund(Schema):
    amount_cents = fields.Integer(required=True)
    refunded_at = Timestamp(required=True, metadata=DATE_TIME)


class SummaryAutopay(Schema):
    enabled = fields.Boolean(required=True)
    payment_method_id = fields.String(allow_none=True)


class AccountSummary(Schema):
    account_number = fields.String(required=True)
    company_name = fields.String(required=True)
    amount_due_cents = fields.Integer(required=True)
    balance_cents = fields.Integer(metadata={"description": "ledger balance; negative = credit"})
    currency = fields.String(required=True)
    due_date = Day(allow_none=True, metadata=DATE)
    invoice_number = fields.String(allow_none=True)
    past_due_cents = fields.Integer(required=True)
    last_payment = fields.Nested(SummaryLastPayment, allow_none=True)
    last_refund = fields.Nested(SummaryLastRefund, allow_none=True, metadata={
        "description": "the newest refund given back to the account, or null"})
    autopay = fields.Nested(SummaryAutopay, allow_none=True)
    autopay_unavailable = fields.Boolean(metadata={
        "description": "true when the payments service did not answer: autopay is unknown"})
    invoice_delivery = fields.String(required=True)
    status = fields.String(metadata={
        "description": "active | suspended (for non-payment: paying past_due_cents restores "
                       "it at once) | closed"})
    closure = fields.Nested(AccountClosure, allow_none=True, metadata={
        "description": "a closed account's closure; null otherwise"})


# --- an account's services and changing them (staff and the account's admins) ---

MAX_QUANTITY = 999  # as when an account is opened (ServiceLine)


class ServiceQuantity(Schema):
    code = fields.String(required=True, validate=validators.text(1, 40))
    quantity = fields.Integer(required=True, strict=True,
                              validate=validate.Range(0, MAX_QUANTITY), metadata={
                                  "description": "the new quantity; 0 removes the product"})


class ServiceChangeRequest(Schema):
    effective_date = fields.Date(load_default=None, validate=validators.run_date, metadata={
        "description": "from when (default today): from the last statement's date to the "
                       "next one's; an admin's not before today"})
    changes = fields.List(fields.Nested(ServiceQuantity), required=True,
                          validate=validate.Length(1, 50))
    preview = validators.Boolean(load_default=False, metadata={
        "description": "true: answer the lines and the next bill's estimate, change nothing"})


class ServicePeriod(Schema):
    start = fields.String(required=True, metadata=DATE)
    end = fields.String(required=True, metadata=DATE)
    days = fields.Integer(required=True, metadata={"description": "the period's actual length"})
    days_left = fields.Integer(required=True, metadata={
        "description": "from the effective date to the period's end"})
    billed = fields.Boolean(required=True, metadata={
        "description": "its services were billed in advance (false before the first "
                       "statement: no proration)"})


class ServiceChanged(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    old_quantity = fields.Integer(required=True)
    new_quantity = fields.Integer(required=True)
    monthly_cents = fields.Integer(required=True, metadata={"description": "each"})


class ProratedLine(Schema):
    code = fields.String(required=True)
    section = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("credit", "charge")))
    description = fields.String(required=True)
    quantity = fields.Integer(required=True)
    amount_cents = fields.Integer(required=True, metadata={"description": "credit negative"})
    starts_on = fields.String(required=True, metadata=DATE)
    ends_on = fields.String(required=True, metadata={
        **DATE, "description": "exclusive: the next statement's date"})


class NextStatementEstimate(Schema):
    statement_date = fields.String(required=True, metadata=DATE)
    services_cents = fields.Integer(required=True, metadata={
        "description": "the services' monthly charges after the change, billed in advance"})
    prorated_cents = fields.Integer(required=True, metadata={
        "description": "every prorated line waiting for that statement, these included"})
    estimate_cents = fields.Integer(required=True, metadata={
        "description": "the two together, before usage, taxes and fees"})
    currency = fields.String(required=True)


class ServiceChangeResult(Schema):
    account_number = fields.String(required=True)
    preview = fields.Boolean(required=True)
    effective_date = fields.String(required=True, metadata=DATE)
    period = fields.Nested(ServicePeriod, required=True)
    changes = fields.List(fields.Nested(ServiceChanged), required=True, metadata={
        "description": "the products whose quantity changes (an unchanged one is left out: "
                       "a repeated request changes nothing)"})
    lines = fields.List(fields.Nested(ProratedLine), required=True)
    next_statement = fields.Nested(NextStatementEstimate, required=True)


class AccountServiceItem(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    section = fields.String(required=True)
    quantity = fields.Integer(required=True)
    monthly_cents = fields.Integer(required=True, metadata={"description": "each, as sold"})
    self_service = fields.Boolean(required=True)


class AccountServices(Schema):
    account_number = fields.String(required=True)
    items = fields.List(fields.Nested(AccountServiceItem), required=True)
    monthly_cents = fields.Integer(required=True, metadata={"description": "all together"})
    currency = fields.String(required=True)
    self_service_products = fields.List(fields.Nested(Product), required=True, metadata={
        "description": "what the account's admins may add or change themselves"})
    next_statement_date = fields.String(required=True, metadata=DATE)
