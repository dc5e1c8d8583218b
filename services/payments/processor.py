"""The payment processor adapter: one interface, a deterministic sandbox by default.

Only this module ever sees a full card or bank account number or a CVC: ``tokenize_*`` take
them and return an opaque token plus what may be shown (brand or bank name, last four).
Everything after works on the token. docs/payments-processor.md documents the interface for
a real processor; ``PAYMENTS_PROCESSOR`` would name its class (see ``make_processor``).
"""
import hashlib
import uuid
from dataclasses import dataclass

from services.payments.sandbox_journal import ChargeJournal, journal_path


class ProcessorDeclined(Exception):
    """The processor refused to tokenise the method (not a payment decline)."""

    def __init__(self, code, reason):
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


class ProcessorUnavailable(Exception):
    """The processor could not be reached or answered with an error: the outcome is unknown
    to us only for that call; ``charge`` is idempotent on ``idempotency_key`` so it is safe to
    ask again."""


@dataclass(frozen=True)
class Tokenized:
    token: str
    last4: str
    brand: str | None = None
    bank_name: str | None = None


@dataclass(frozen=True)
class Charge:
    status: str                  # succeeded | pending (bank debit) | failed
    reference: str | None = None
    failure_code: str | None = None
    failure_reason: str | None = None
    retryable: bool = False


@dataclass(frozen=True)
class Settlement:
    status: str                  # succeeded | returned | pending
    reason: str | None = None


@dataclass(frozen=True)
class RefundResult:
    status: str                  # succeeded | failed
    reference: str | None = None
    failure_code: str | None = None
    failure_reason: str | None = None


class Processor:
    """What a processor adapter implements. Every method may raise ProcessorUnavailable."""

    def tokenize_card(self, *, number, exp_month, exp_year, cvc, name, postal_code, brand):
        raise NotImplementedError

    def tokenize_bank_account(self, *, routing_number, account_number, account_type, name):
        raise NotImplementedError

    def charge(self, *, token, amount_cents, currency, idempotency_key):
        """Take money; the same ``idempotency_key`` never charges twice."""
        raise NotImplementedError

    def refund(self, *, reference, amount_cents, idempotency_key):
        """Give back ``amount_cents`` of the charge ``reference``; the same
        ``idempotency_key`` never refunds twice (it answers the first refund)."""
        raise NotImplementedError

    def settle(self, *, reference):
        """Clear a pending bank debit: ``Settlement(status="succeeded"|"pending")``."""
        raise NotImplementedError

    def check_return(self, *, reference):
        """After settlement: ``Settlement(status="returned", reason=...)`` if the bank sent the
        debit back, else ``status="succeeded"``."""
        raise NotImplementedError


# Stripe's published test numbers and what they do (https://docs.stripe.com/testing)
SANDBOX_CARDS = {
    "4242424242424242": "ok",
    "5555555555554444": "ok",
    "4000000000000002": "generic_decline",
    "4000000000009995": "insufficient_funds",
    "4000000000000069": "expired_card",
    "4000000000000127": "incorrect_cvc",
    "4000000000000119": "processing_error",
}

DECLINES = {
    "generic_decline": ("Your card was declined. Please use another card or contact your bank.",
                        False),
    "insufficient_funds": ("Your card has insufficient funds. Please use another card.", False),
    "expired_card": ("Your card has expired. Please use another card.", False),
    "incorrect_cvc": ("Your card's security code (CVC) is incorrect. Please check it and try "
                      "again.", False),
    "processing_error": ("An error occurred while processing your card. Please try again in a "
                         "moment.", True),
}

SANDBOX_BANKS = {"110000000": "STRIPE TEST BANK"}
RETURN_REASON = "The bank returned the payment: insufficient funds."
REFUND_REFUSALS = {
    "no_such_charge": "The processor has no such charge to refund.",
    "amount_too_large": "The refund is more than what is left of the charge.",
}


class SandboxProcessor(Processor):
    """Deterministic: the token records the behaviour of the test number, never the number.
    Charges are kept in a journal (sandbox_journal.py): a key already seen returns the first
    charge without charging again, as Stripe does."""

    def __init__(self, journal=None):
        self.journal = journal or ChargeJournal()

    def tokenize_card(self, *, number, exp_month, exp_year, cvc, name, postal_code, brand):
        behaviour = SANDBOX_CARDS.get(number)
        if behaviour is None:
            raise ProcessorDeclined(
                "live_card_in_sandbox",
                "Your card was declined: this test system accepts only test card numbers.")
        return Tokenized(token=f"tok_sbx_{behaviour}_{uuid.uuid4().hex[:16]}", last4=number[-4:],
                         brand=brand)

    def tokenize_bank_account(self, *, routing_number, account_number, account_type, name):
        # an account number ending 0002 clears, then comes back (as in Stripe's ACH tests)
        behaviour = "bank_return" if account_number.endswith("0002") else "bank_ok"
        return Tokenized(token=f"btok_sbx_{behaviour}_{uuid.uuid4().hex[:16]}",
                         last4=account_number[-4:],
                         bank_name=SANDBOX_BANKS.get(routing_number, "TEST BANK"))

    def charge(self, *, token, amount_cents, currency, idempotency_key):
        fields, _first = self.journal.record_once(
            idempotency_key, token, amount_cents, currency,
            lambda: _decide(token, idempotency_key))
        if fields["status"] != "failed":
            return Charge(status=fields["status"], reference=fields["reference"])
        reason, retryable = DECLINES.get(fields["failure_code"], DECLINES["generic_decline"])
        return Charge(status="failed", reference=fields["reference"],
                      failure_code=fields["failure_code"], failure_reason=reason,
                      retryable=retryable)

    def refund(self, *, reference, amount_cents, idempotency_key):
        def decide(charged, refunded):
            refund_ref = "re_sbx_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
            if charged is None:
                return {"status": "failed", "reference": refund_ref,
                        "failure_code": "no_such_charge"}
            if refunded + amount_cents > charged:
                return {"status": "failed", "reference": refund_ref,
                        "failure_code": "amount_too_large"}
            return {"status": "succeeded", "reference": refund_ref}
        fields, _first = self.journal.refund_once(idempotency_key, reference, amount_cents,
                                                  decide)
        code = fields.get("failure_code")
        return RefundResult(status=fields["status"], reference=fields["reference"],
                            failure_code=code, failure_reason=REFUND_REFUSALS.get(code))

    def settle(self, *, reference):
        return Settlement(status="succeeded")

    def check_return(self, *, reference):
        if reference.endswith("_bank_return"):
            return Settlement(status="returned", reason=RETURN_REASON)
        return Settlement(status="succeeded")


def _decide(token, idempotency_key):
    """What the sandbox does with a new charge, from the behaviour the token records."""
    reference = "ch_sbx_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
    behaviour = _behaviour(token)
    if behaviour.startswith("bank"):
        return {"status": "pending", "reference": f"{reference}_{behaviour}"}
    if behaviour == "ok":
        return {"status": "succeeded", "reference": reference}
    failure_code = behaviour if behaviour in DECLINES else "generic_decline"
    return {"status": "failed", "reference": reference, "failure_code": failure_code}


def _behaviour(token):
    """``tok_sbx_<behaviour>_<random>`` -> behaviour."""
    prefix = "btok_sbx_" if token.startswith("btok_sbx_") else "tok_sbx_"
    return token[len(prefix):].rsplit("_", 1)[0]


def make_processor(name=None, data_dir=None):
    """The configured adapter: ``sandbox`` (default) or a dotted ``module:Class`` path. The
    sandbox keeps its charge journal under ``data_dir`` (in memory without one)."""
    if not name or name == "sandbox":
        return SandboxProcessor(ChargeJournal(journal_path(data_dir)) if data_dir else None)
    module_name, _, class_name = name.partition(":")
    module = __import__(module_name, fromlist=[class_name])
    return getattr(module, class_name)()
