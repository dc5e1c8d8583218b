"""payments's tables. No full card or bank account number, CVC or security code is a column."""
from sqlalchemy import (Boolean, Column, Date, DateTime, Index, Integer, String, Text,
                        UniqueConstraint)

from services.runtime import service_tables

Base = service_tables.declarative_base()
metadata = Base.metadata


class PaymentMethod(Base):
    """A card or bank account as the processor tokenised it."""
    __tablename__ = "payment_methods"
    id = Column(String(36), primary_key=True)
    account_number = Column(String(16), nullable=False, index=True)
    type = Column(String(20), nullable=False)            # card | bank_account
    processor_token = Column(String(120), nullable=False)
    brand = Column(String(20))                           # cards
    bank_name = Column(String(80))                       # bank accounts
    account_type = Column(String(10))                    # checking | savings
    last4 = Column(String(4), nullable=False)
    exp_month = Column(Integer)
    exp_year = Column(Integer)
    name = Column(String(100))
    created_at = Column(DateTime(timezone=True), nullable=False)
    removed_at = Column(DateTime(timezone=True))         # kept for the payments that used it


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (
        # one autopay payment per statement, however often statement_issued is delivered
        UniqueConstraint("account_number", "invoice_number", "kind", name="uq_payments_invoice"),
        Index("ix_payments_due", "status", "scheduled_for"),
        Index("ix_payments_account", "account_number", "created_at"),
    )
    id = Column(String(36), primary_key=True)
    account_number = Column(String(16), nullable=False)
    payment_method_id = Column(String(36), nullable=False)
    user_id = Column(String(36))                         # who paid; None for autopay
    kind = Column(String(12), nullable=False)            # one_time | scheduled | autopay
    invoice_number = Column(String(40))                  # autopay: the statement it pays
    amount_cents = Column(Integer, nullable=False)
    currency = Column(String(3), nullable=False)
    # scheduled -> pending (being charged, or a bank debit awaiting settlement) ->
    # succeeded | failed; scheduled -> canceled; succeeded (bank) -> returned
    status = Column(String(12), nullable=False)
    scheduled_for = Column(Date)
    attempts = Column(Integer, nullable=False, default=0)
    failure_code = Column(String(40))
    failure_reason = Column(String(200))
    processor_ref = Column(String(120))
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)
    paid_at = Column(DateTime(timezone=True))
    settled_on = Column(Date)                            # bank: the run date that settled it
    return_checked = Column(Boolean, nullable=False, default=False)
    # what refunds took back or hold (succeeded + pending); a conditional UPDATE keeps it at
    # most amount_cents however many refunds race (refunds.py)
    refunded_cents = Column(Integer, nullable=False, default=0, server_default="0")
    # autopay: the run date its pre-draft notice went out (set by the claim that emits it,
    # autopay_notices.py), so the notice leaves once per draft whatever the replicas do
    notice_sent_on = Column(Date)


class Refund(Base):
    """Money given back on a succeeded payment (staff's refunds, refunds.py). Written
    ``pending`` before the processor is asked under ``refund:<id>``, so a retry after a crash
    asks again with the same processor key; the Idempotency-Key is unique per account."""
    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("account_number", "idempotency_key", name="uq_refunds_key"),
        Index("ix_refunds_payment", "payment_id"),
        Index("ix_refunds_pending", "status", "updated_at"),
    )
    id = Column(String(36), primary_key=True)
    payment_id = Column(String(36), nullable=False)
    account_number = Column(String(16), nullable=False)
    amount_cents = Column(Integer, nullable=False)
    currency = Column(String(3), nullable=False)
    reason = Column(String(200), nullable=False)
    status = Column(String(12), nullable=False)          # pending -> succeeded | failed
    processor_ref = Column(String(120))
    failure_reason = Column(String(200))
    idempotency_key = Column(String(255), nullable=False)
    fingerprint = Column(String(64), nullable=False)     # sha256 of the request
    created_at = Column(DateTime(timezone=True), nullable=False)
    updated_at = Column(DateTime(timezone=True), nullable=False)


class MethodAttempt(Base):
    """A card or bank account handed to the processor (accepted or declined): so many an
    hour per account (carding.py). Rows older than the hour are deleted as new ones come."""
    __tablename__ = "method_attempts"
    __table_args__ = (Index("ix_method_attempts_account", "account_number", "attempted_at"),)
    id = Column(Integer, primary_key=True, autoincrement=True)
    account_number = Column(String(16), nullable=False)
    attempted_at = Column(DateTime(timezone=True), nullable=False)


class IdempotencyKey(Base):
    """The first request made with an Idempotency-Key, and its result once known."""
    __tablename__ = "idempotency_keys"
    account_number = Column(String(16), primary_key=True)
    key = Column(String(255), primary_key=True)
    fingerprint = Column(String(64), nullable=False)     # sha256 of the request (no secrets)
    payment_id = Column(String(36), nullable=False)
    response = Column(Text)                              # JSON of the first result; None = in flight
    created_at = Column(DateTime(timezone=True), nullable=False, index=True)


class Autopay(Base):
    __tablename__ = "autopay"
    account_number = Column(String(16), primary_key=True)
    payment_method_id = Column(String(36), nullable=False)
    enabled = Column(Boolean, nullable=False)
    # the most autopay may draft for one statement (None: no cap); a statement above it is
    # not drafted and stays due (autopay.py)
    max_amount_cents = Column(Integer)
    user_id = Column(String(36))
    updated_at = Column(DateTime(timezone=True), nullable=False)
