"""The event catalogue: every event a BizPortal service publishes, with its payload schema.

This module is the single definition: the outbox refuses an event type not listed here or a
payload its schema rejects, and docs/events.md and docs/asyncapi.json are generated from it
(``make docs``). Every event is also kept in its service's stream (docs/streams.md).
Payloads carry ids and facts, never secrets.

Versions. Adding an optional field to ``data`` is not a breaking change: readers ignore what
they do not know. Removing, renaming or retyping a field, or a new required one, is: the
changed event is then published as version 2 *alongside* version 1 for a deprecation period
(at least 90 days, announced to the teams that subscribe), so nobody's reader breaks on the
day it ships. How, here and in the service:

1. Keep version 1's entry as it is. Add one with the same source, the name ``<name>.v2``,
   ``version=2`` and the new schema: ``_event("billing", "statement_issued.v2", ..., version=2)``.
   Its routing key is then ``statement_issued.v2``, so v1's queues (bound to
   ``statement_issued``) never receive a body they cannot read, and its envelope says
   ``"version": 2`` (the outbox takes the version from here).
2. In the service, emit both in the same transaction: ``tx.emit("statement_issued", v1)`` and
   ``tx.emit("statement_issued.v2", v2)``; readers of the stream see both and keep the
   version they know.
3. After the deprecation period, delete version 1's entry and its emit. ``make docs`` shows
   both versions meanwhile.
"""
import re
from dataclasses import dataclass

from marshmallow import Schema, fields, validate

ENVELOPE_VERSION = 1


class Envelope(Schema):
    """What every message body on a ``<service>.events`` exchange looks like."""
    event_id = fields.UUID(required=True)
    type = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    source = fields.String(required=True)
    version = fields.Integer(required=True)
    request_id = fields.String(allow_none=True)
    data = fields.Dict(required=True)


def _schema(name, **fields_):
    return Schema.from_dict(fields_, name=name)


_str, _int, _bool = fields.String, fields.Integer, fields.Boolean
_account = dict(account_number=_str(required=True))
# who made a change and from where, for identity's audit trail (optional: staff and timers
# make changes too)
_actor = dict(actor_user_id=_str(allow_none=True, load_default=None),
              ip=_str(allow_none=True, load_default=None))


@dataclass(frozen=True)
class EventType:
    source: str
    name: str      # also the routing key; ``<name>.v<n>`` from version 2 on (see "Versions")
    when: str
    schema: type
    version: int = ENVELOPE_VERSION

    def __post_init__(self):
        if self.version != ENVELOPE_VERSION and not self.name.endswith(f".v{self.version}"):
            raise ValueError(f"{self.source}.{self.name} is version {self.version}: its name "
                             f"must end in .v{self.version} (see Versions in events.py)")

    @property
    def type(self):
        return f"{self.source}.{self.name}"

    @property
    def base_name(self):
        """The name without its version: the same for every version of one event."""
        return re.sub(r"\.v[0-9]+$", "", self.name)


def _event(source, name, when, version=ENVELOPE_VERSION, **data_fields):
    return EventType(source, name, when, _schema(f"{source}.{name}", **data_fields), version)


CATALOGUE = [
    _event("identity", "user_registered", "an online ID was created",
           user_id=_str(required=True), username=_str(required=True), email=_str(required=True),
           account_number=_str(required=True), role=_str(required=True)),
    _event("identity", "signed_in", "a successful sign-in",
           user_id=_str(required=True), ip=_str(allow_none=True), user_agent=_str(allow_none=True)),
    _event("identity", "sign_in_locked", "an ID was throttled after repeated failures",
           user_id=_str(required=True)),
    _event("identity", "password_changed", "a password was changed or reset",
           user_id=_str(required=True), via=_str(required=True, validate=validate.OneOf(["change", "reset"]))),
    _event("identity", "session_ended",
           "a session ended (sign-out, its user ending it from their list of sessions, "
           "password change or reset, a reused refresh token); gateways stop accepting its "
           "access tokens",
           user_id=_str(required=True), session_id=_str(required=True),
           reason=_str(required=True)),
    _event("identity", "security_settings_changed",
           "security code, challenge, preferences, 2-step sign-in or passkeys changed (what: "
           "passkey_added, passkey_renamed, passkey_removed), or the user signed out "
           "everywhere else (what: other_sessions_ended)",
           user_id=_str(required=True), what=_str(required=True)),
    _event("identity", "security_alert_raised",
           "a security change (always) or a sign-in from a new browser (when asked for) is to be "
           "mailed to the user; written in the change's own transaction so no alert is lost",
           user_id=_str(required=True), email=_str(required=True), first_name=_str(allow_none=True),
           kind=_str(required=True, validate=validate.OneOf(["security", "sign_in"])),
           what=_str(required=True), detail=_str(allow_none=True), at=_str(required=True),
           ip=_str(allow_none=True), user_agent=_str(allow_none=True)),
    _event("identity", "user_invited", "an admin invited someone to an account",
           **_account, email=_str(required=True), role=_str(required=True)),
    _event("identity", "invitation_revoked",
           "a pending invitation was revoked: by an admin, or because its inviter was removed "
           "from the account or is no longer its admin",
           **_account, invitation_id=_str(required=True), email=_str(required=True),
           role=_str(required=True), reason=_str(required=True, validate=validate.OneOf(
               ["revoked", "inviter_removed", "inviter_demoted"]))),
    _event("identity", "user_removed", "a user was removed from an account",
           **_account, user_id=_str(required=True), role=_str(allow_none=True)),
    _event("identity", "role_changed", "a user's role on an account changed",
           **_account, user_id=_str(required=True), role=_str(required=True)),
    _event("identity", "account_linked",
           "a signed-in online ID took another account (its number and invoice key) that had "
           "no online ID yet, as its admin",
           **_account, user_id=_str(required=True), role=_str(required=True)),
    _event("billing", "account_opened", "staff opened an account",
           **_account, company_name=_str(required=True), bill_cycle_day=_int(required=True),
           contact_name=_str(required=True), email=_str(required=True)),
    _event("billing", "security_key_reissued",
           "staff reissued the account's security key (the key itself is never in an event)",
           **_account),
    _event("billing", "services_changed",
           "an account's services changed (staff, or an admin for self-service products); "
           "the prorated lines wait for the next statement",
           **_account, effective_date=fields.Date(required=True),
           changes=fields.List(fields.Nested(_schema("billing.services_changed.change",
               code=_str(required=True), old_quantity=_int(required=True),
               new_quantity=_int(required=True))), required=True),
           credit_cents=_int(required=True), charge_cents=_int(required=True),
           requested_by=_str(required=True, validate=validate.OneOf(["staff", "customer"])),
           **_actor),
    _event("billing", "profile_changed", "the company profile changed",
           **_account, fields=fields.List(_str(), required=True), **_actor),
    _event("billing", "invoice_delivery_changed", "invoice delivery switched paper/paperless",
           **_account, method=_str(required=True), email=_str(allow_none=True), **_actor),
    _event("billing", "statement_issued", "a statement was issued",
           **_account, invoice_number=_str(required=True), statement_date=fields.Date(required=True),
           due_date=fields.Date(required=True), amount_due_cents=_int(required=True),
           currency=_str(required=True),
           # how the customer gets it (paperless: an email to delivery_email; paper: printed)
           invoice_delivery=_str(allow_none=True, load_default=None),
           delivery_email=_str(allow_none=True, load_default=None)),
    _event("billing", "payment_applied", "a payment was credited to the ledger",
           **_account, payment_id=_str(required=True), amount_cents=_int(required=True),
           balance_cents=_int(required=True)),
    _event("billing", "late_fee_assessed", "a statement was left unpaid after its due date",
           **_account, invoice_number=_str(required=True), amount_cents=_int(required=True)),
    _event("billing", "payment_overdue",
           "a collections run found the account past due 1, 7 or 14 days (stage): the "
           "account's payers are reminded, once per missed statement and stage",
           **_account, invoice_number=_str(allow_none=True, load_default=None),
           due_date=fields.Date(required=True), past_due_cents=_int(required=True),
           days_past_due=_int(required=True),
           stage=_int(required=True, validate=validate.OneOf([1, 7, 14])),
           suspend_on=fields.Date(required=True), currency=_str(required=True)),
    _event("billing", "account_suspended",
           "the account was suspended for non-payment: SUSPEND_AFTER_DAYS past due at a "
           "collections run, or a returned payment undid what restored it; the network team "
           "stops its services until billing.account_restored",
           **_account, past_due_cents=_int(required=True), days_past_due=_int(required=True),
           invoice_number=_str(allow_none=True, load_default=None),
           suspended_on=fields.Date(required=True), currency=_str(required=True),
           cause=_str(required=True, validate=validate.OneOf(["past_due", "payment_returned"]))),
    _event("billing", "account_restored",
           "a suspended account's past-due amount was paid (restored at once, with the "
           "payment that did it) or found covered by a collections run: its services resume",
           **_account, restored_on=fields.Date(required=True),
           payment_id=_str(allow_none=True, load_default=None),
           balance_cents=_int(required=True)),
    _event("billing", "account_closed",
           "staff closed the account: its services ended on effective_date (prorated), the "
           "final statement was issued at once; payments cancels autopay and scheduled "
           "payments and refunds refund_cents of a credit balance (credit_left_cents stays a "
           "credit: no refundable payment); the account's admins are mailed; users keep "
           "read-only access and may pay what is left until read_only_until",
           **_account, closure_id=_str(required=True), effective_date=fields.Date(required=True),
           reason=_str(required=True), final_invoice_number=_str(required=True),
           balance_cents=_int(required=True), amount_due_cents=_int(required=True),
           refund_cents=_int(required=True), credit_left_cents=_int(required=True),
           currency=_str(required=True), read_only_until=fields.Date(required=True), **_actor),
    _event("billing", "credit_issued",
           "an account was credited (a ledger entry of kind credit): by staff, or resolving a "
           "dispute in the customer's favour; the next statement shows it under Adjustments",
           **_account, credit_id=_str(required=True), amount_cents=_int(required=True),
           currency=_str(required=True), reason=_str(required=True),
           invoice_number=_str(allow_none=True), dispute_id=_str(allow_none=True),
           balance_cents=_int(required=True),
           via=_str(required=True, validate=validate.OneOf(["staff", "dispute"])), **_actor),
    _event("billing", "dispute_opened",
           "a customer (an admin or billing user) disputed a statement line; until it is "
           "resolved its amount is kept out of late fees and the autopay draft",
           **_account, dispute_id=_str(required=True), invoice_number=_str(required=True),
           line_id=_str(required=True), amount_cents=_int(required=True),
           reason=_str(required=True), **_actor),
    _event("billing", "dispute_resolved",
           "staff credited (billing.credit_issued follows in the same transaction) or "
           "rejected a dispute; the customer is told either way",
           **_account, dispute_id=_str(required=True), invoice_number=_str(required=True),
           line_id=_str(required=True), line_description=_str(required=True),
           amount_cents=_int(required=True), reason=_str(required=True),
           outcome=_str(required=True, validate=validate.OneOf(["credited", "rejected"])),
           credited_cents=_int(allow_none=True), credit_id=_str(allow_none=True),
           note=_str(required=True), opened_by=_str(allow_none=True), **_actor),
    _event("billing", "fraud_suspected",
           "a usage load looked like toll fraud (billing/fraud_rules.py: a burst of "
           "international or premium calls, toll calls at night in the account's time zone, "
           "short calls to one high-cost prefix, a rise in simultaneous calls, international "
           "calls after it was blocked); raised at once, one case per account and load; the "
           "account's admins are told by email and text whatever their preferences",
           **_account, case_id=_str(required=True), score=_int(required=True),
           rules=fields.List(_str(), required=True),
           evidence=fields.Dict(required=True), calls=_int(required=True),
           raised_at=_str(required=True)),
    _event("billing", "fraud_case_marked_expected",
           "an account admin said a suspicious load's calls were theirs: the portal's banner "
           "goes and the load's figures join the account's calling profile",
           **_account, case_id=_str(required=True), **_actor),
    _event("billing", "international_calling_changed",
           "an account admin blocked or allowed international calling: the network team "
           "refuses (or allows again) international calls from the account's lines",
           **_account, blocked=_bool(required=True), **_actor),
    _event("billing", "usage_threshold_crossed",
           "a usage load took the account's usage charges this cycle to one of the "
           "thresholds its admins set (kind threshold), or above 150 % of the average usage "
           "of its last three statements (kind bill_shock, when turned on); each once per "
           "cycle, however many loads cross it; its admins and billing users are told as "
           "their usage_alerts preferences ask",
           **_account, kind=_str(required=True, validate=validate.OneOf(
               ["threshold", "bill_shock"])),
           threshold_cents=_int(allow_none=True), usage_cents=_int(required=True),
           baseline_cents=_int(allow_none=True), cycle_start=fields.Date(required=True),
           cycle_end=fields.Date(required=True), currency=_str(required=True)),
    _event("payments", "payment_method_added", "a payment method was added",
           **_account, payment_method_id=_str(required=True), type=_str(required=True),
           last4=_str(required=True), **_actor),
    _event("payments", "payment_method_removed", "a payment method was removed",
           **_account, payment_method_id=_str(required=True), type=_str(required=True),
           last4=_str(required=True), **_actor),
    _event("payments", "payment_scheduled", "a future-dated or automatic payment was set",
           **_account, payment_id=_str(required=True), amount_cents=_int(required=True),
           scheduled_for=fields.Date(required=True), user_id=_str(allow_none=True)),
    _event("payments", "payment_succeeded", "money was taken",
           **_account, payment_id=_str(required=True), amount_cents=_int(required=True),
           currency=_str(required=True), method_type=_str(required=True), last4=_str(required=True),
           user_id=_str(allow_none=True)),
    _event("payments", "payment_failed", "a payment was declined or failed",
           **_account, payment_id=_str(required=True), amount_cents=_int(required=True),
           reason=_str(required=True), user_id=_str(allow_none=True), will_retry=_bool(),
           # an autopay tried again (1, 3 and 5 days after its first try): that day
           retry_on=fields.Date(allow_none=True, load_default=None)),
    _event("payments", "payment_returned", "a bank payment came back after success",
           **_account, payment_id=_str(required=True), amount_cents=_int(required=True),
           reason=_str(required=True), user_id=_str(allow_none=True)),
    _event("payments", "payment_refunded",
           "money was given back on a succeeded payment (a staff refund, all or part of it); "
           "billing puts it back on the balance, the payer and the account's admins and "
           "billing users get a receipt",
           **_account, payment_id=_str(required=True), refund_id=_str(required=True),
           amount_cents=_int(required=True), currency=_str(required=True),
           refunded_cents=_int(required=True), method_type=_str(required=True),
           last4=_str(required=True), reason=_str(required=True),
           user_id=_str(allow_none=True)),
    _event("payments", "payment_canceled",
           "a scheduled payment was canceled without its payer asking (the payer was removed "
           "from the account, or the account was closed); the account's admins and billing "
           "users are told",
           **_account, payment_id=_str(required=True), amount_cents=_int(required=True),
           scheduled_for=fields.Date(required=True), user_id=_str(allow_none=True),
           cause=_str(required=True, validate=validate.OneOf(["user_removed", "account_closed"])),
           reason=_str(required=True)),
    _event("payments", "autopay_changed", "autopay was enrolled, changed or cancelled",
           **_account, enabled=_bool(required=True), payment_method_id=_str(allow_none=True),
           max_amount_cents=_int(allow_none=True, load_default=None), **_actor),
    _event("payments", "autopay_skipped",
           "autopay did not draft a statement: its amount is above the account's autopay "
           "limit (max_amount_cents); the bill stays due and the account's admins and billing "
           "users are told at once",
           **_account, invoice_number=_str(allow_none=True), amount_cents=_int(required=True),
           max_amount_cents=_int(required=True),
           reason=_str(required=True, validate=validate.OneOf(["over_cap"])),
           due_date=fields.Date(allow_none=True, load_default=None)),
    _event("payments", "autopay_draft_announced",
           "the pre-draft notice: autopay will draft a statement in AUTOPAY_NOTICE_DAYS days "
           "(or fewer, when the statement came later); once per draft",
           **_account, payment_id=_str(required=True), invoice_number=_str(allow_none=True),
           amount_cents=_int(required=True), currency=_str(required=True),
           scheduled_for=fields.Date(required=True), method_type=_str(required=True),
           last4=_str(required=True), notice_days=_int(required=True)),
    _event("payments", "autopay_card_expiring",
           "a statement was scheduled for autopay on a card that will have expired by the "
           "draft date; the account's payers are warned to choose another method",
           **_account, payment_id=_str(required=True), invoice_number=_str(allow_none=True),
           payment_method_id=_str(required=True), last4=_str(required=True),
           exp_month=_int(required=True), exp_year=_int(required=True),
           scheduled_for=fields.Date(required=True)),
    _event("notifications", "notification_sent", "a message left through a channel",
           notification_id=_str(required=True), user_id=_str(allow_none=True),
           email=_str(allow_none=True), channel=_str(required=True), category=_str(required=True)),
]

BY_TYPE = {event.type: event for event in CATALOGUE}


def dump_data(source, name, data):
    """Validate ``data`` for event ``source.name`` and return its JSON-ready form.

    Raises KeyError for an event not in the catalogue and ValueError for a payload its
    schema rejects, so nothing undocumented is ever published.
    """
    event = BY_TYPE[f"{source}.{name}"]
    schema = _schemas[event.type]
    dumped = schema.dump(data)
    errors = schema.validate(dumped)
    if errors:
        raise ValueError(f"{event.type} payload invalid: {errors}")
    return dumped


# one instance per event type: marshmallow schemas are reusable, and costly to build per event
_schemas = {event.type: event.schema() for event in CATALOGUE}
