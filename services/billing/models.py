"""billing's tables."""
from sqlalchemy import (JSON, BigInteger, Boolean, Column, Date, DateTime, ForeignKey, Index,
                        Integer, String, UniqueConstraint, text)
from sqlalchemy.orm import relationship, validates

from services.runtime import service_tables

Base = service_tables.declarative_base()
metadata = Base.metadata


# byte order on PostgreSQL (as on SQLite): the staff search's name index serves ``LIKE
# 'prefix%'`` and its keyset order, and Python compares cursors the way the database does
NAME_KEY_CHARS, EMAIL_KEY_CHARS = 120, 254  # company_name_key, email_key
SEARCH_KEY = String(NAME_KEY_CHARS).with_variant(String(NAME_KEY_CHARS, collation="C"),
                                                 "postgresql")
ACCOUNT_STATUSES = ("active", "suspended", "closed")


def search_key(value, chars=NAME_KEY_CHARS):
    """How staff search compares names and emails: case-folded (Python's, the same on every
    database: SQLite's lower() folds ASCII only), cut to ``chars``, its column's width.

    Folding can make a text longer ("ß" is "ss", "ﬃ" "ffi", "ΐ" three code points): a
    company name of 61 "ß" folded past its column and opening or renaming that account was a
    500 on PostgreSQL. Both sides of a comparison are cut alike, so a prefix still finds it."""
    return value.casefold()[:chars] if value is not None else None


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        # staff search (search.py): company name by prefix in keyset order, email, phone
        Index("ix_accounts_company_name_key", "company_name_key", "id"),
        Index("ix_accounts_email_key", "email_key"),
        Index("ix_accounts_phone", "phone"),
    )
    id = Column(Integer, primary_key=True)
    account_number = Column(String(16), nullable=False, unique=True)
    security_key_hash = Column(String(200), nullable=False)  # argon2id: to check the key
    # the same key sealed (keys.seal_key): to print it at the top of every statement
    security_key_sealed = Column(String(200), nullable=False)
    company_name = Column(String(120), nullable=False)
    contact_name = Column(String(120), nullable=False)
    email = Column(String(254), nullable=False)
    phone = Column(String(20), nullable=False)
    address_line1 = Column(String(100), nullable=False)
    address_line2 = Column(String(100))
    city = Column(String(60), nullable=False)
    state = Column(String(2), nullable=False)
    postal_code = Column(String(10), nullable=False)
    bill_cycle_day = Column(Integer, nullable=False)
    invoice_delivery = Column(String(10), nullable=False, default="paper")
    invoice_email = Column(String(254))  # where paperless bills go; NULL: the company email
    opened_on = Column(Date, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    # active | suspended | closed: collections.py suspends and restores (closure: issue 15)
    status = Column(String(12), nullable=False, default="active", server_default="active")
    status_changed_on = Column(Date)  # when status last changed; NULL: active since opened
    # the latest day payments will try a failed autopay again: until then the account does
    # not count as unpaid for collections (no reminder, no suspension)
    autopay_retry_on = Column(Date)
    # search_key(company_name), search_key(email): kept by the validators below
    company_name_key = Column(SEARCH_KEY, nullable=False)
    email_key = Column(String(EMAIL_KEY_CHARS), nullable=False)

    services = relationship("AccountService", back_populates="account",
                            cascade="all, delete-orphan")

    @validates("company_name")
    def _keep_name_key(self, _key, value):
        self.company_name_key = search_key(value)
        return value

    @validates("email")
    def _keep_email_key(self, _key, value):
        self.email_key = search_key(value, EMAIL_KEY_CHARS)
        return value


class AccountService(Base):
    """A product an account subscribes to, at the price it was sold for."""
    __tablename__ = "account_services"
    __table_args__ = (UniqueConstraint("account_id", "product_code"),)
    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    product_code = Column(String(40), nullable=False)
    quantity = Column(Integer, nullable=False)
    monthly_cents = Column(Integer, nullable=False)

    account = relationship("Account", back_populates="services")


class Call(Base):
    """A call detail record, rated when loaded (``charge_cents``)."""
    __tablename__ = "calls"
    __table_args__ = (
        # the same call loaded twice is one call; led by the start time, the same index
        # serves statement periods and the CSV's keyset pages (one index to maintain on ingest)
        UniqueConstraint("account_id", "started_at", "from_number", "to_number",
                         name="uq_calls_identity"),
    )
    id = Column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    started_at = Column(DateTime(timezone=True), nullable=False)
    from_number = Column(String(16), nullable=False)
    to_number = Column(String(16), nullable=False)
    call_type = Column(String(16), nullable=False)
    duration_seconds = Column(Integer, nullable=False)
    charge_cents = Column(Integer, nullable=False)


class Statement(Base):
    """One issued statement: a printed fact. The balance itself lives only in the ledger."""
    __tablename__ = "statements"
    __table_args__ = (
        # each account billed once per statement date, whatever replica runs the cycle
        UniqueConstraint("account_id", "statement_date", name="uq_statements_account_date"),
        Index("ix_statements_account_date", "account_id", "statement_date"),
    )
    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    invoice_number = Column(String(24), nullable=False, unique=True)
    statement_date = Column(Date, nullable=False)
    period_start = Column(Date, nullable=False)
    period_end = Column(Date, nullable=False)
    due_date = Column(Date, nullable=False)
    currency = Column(String(3), nullable=False, default="USD")
    previous_balance_cents = Column(Integer, nullable=False, default=0)
    payments_cents = Column(Integer, nullable=False, default=0)
    adjustments_cents = Column(Integer, nullable=False, default=0)
    new_charges_cents = Column(Integer, nullable=False, default=0)
    amount_due_cents = Column(Integer, nullable=False, default=0)
    batch = Column(String(36), nullable=False, index=True)
    issued_at = Column(DateTime(timezone=True), nullable=False)


class StatementLine(Base):
    __tablename__ = "statement_lines"
    id = Column(Integer, primary_key=True)
    statement_id = Column(Integer, ForeignKey("statements.id", ondelete="CASCADE"),
                          nullable=False, index=True)
    section = Column(String(20), nullable=False)
    position = Column(Integer, nullable=False)
    description = Column(String(120), nullable=False)
    quantity = Column(Integer, nullable=False)
    amount_cents = Column(Integer, nullable=False)


class LedgerEntry(Base):
    """Every charge, payment, credit, late fee, adjustment and return: the one source of balance.

    Positive amounts are owed by the customer, negative ones are credited. ``statement_id`` is
    the statement an entry first appeared on (NULL until the next statement picks it up).
    """
    __tablename__ = "ledger_entries"
    __table_args__ = (
        # a payment, a return or a late fee is posted once whatever the redeliveries
        UniqueConstraint("account_id", "kind", "reference", name="uq_ledger_reference"),
        Index("ix_ledger_account", "account_id", "id"),
        Index("ix_ledger_statement", "statement_id"),
    )
    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    entry_date = Column(Date, nullable=False)
    kind = Column(String(12), nullable=False)
    description = Column(String(120), nullable=False)
    amount_cents = Column(Integer, nullable=False)
    reference = Column(String(64))
    statement_id = Column(Integer, ForeignKey("statements.id", ondelete="SET NULL"))
    posted_at = Column(DateTime(timezone=True), nullable=False)


class InvoiceEmailVerification(Base):
    """A new paperless address waiting for the link mailed to it (single use, SHA-256).

    Until it is followed bills keep going where they went before."""
    __tablename__ = "invoice_email_verifications"
    token_hash = Column(String(64), primary_key=True)
    account_number = Column(String(16), nullable=False, index=True)
    email = Column(String(254), nullable=False)
    method = Column(String(10), nullable=False)  # the delivery asked for with it
    requested_by = Column(String(36))
    created_at = Column(DateTime(timezone=True), nullable=False)
    expires_at = Column(DateTime(timezone=True), nullable=False)
    used_at = Column(DateTime(timezone=True))


class MailThrottle(Base):
    """How many verification mails a key (a recipient, an account) was sent this window."""
    __tablename__ = "mail_throttle"
    key = Column(String(300), primary_key=True)
    count = Column(Integer, nullable=False)
    window_started_at = Column(DateTime(timezone=True), nullable=False)
    last_sent_at = Column(DateTime(timezone=True), nullable=False)


class CollectionNotice(Base):
    """A past-due reminder sent (collections.py): one per account, missed statement and stage
    (1, 7 or 14 days), so a run repeated, or run on two replicas, reminds once."""
    __tablename__ = "collection_notices"
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    reference = Column(String(40), primary_key=True)  # the invoice number the account missed
    stage = Column(Integer, primary_key=True)         # days past due: 1, 7 or 14
    sent_on = Column(Date, nullable=False)            # the run date


class IdempotencyKey(Base):
    """A staff credit's Idempotency-Key: written in the credit's own transaction, so one key
    makes one credit; the same key with the same body answers ``response`` again (payments
    keeps its own for payments: no service reads another's tables)."""
    __tablename__ = "idempotency_keys"
    account_number = Column(String(16), primary_key=True)
    key = Column(String(255), primary_key=True)
    fingerprint = Column(String(64), nullable=False)  # sha256 of the request's fields
    response = Column(String(4000), nullable=False)   # the first answer, as JSON
    created_at = Column(DateTime(timezone=True), nullable=False)


class CreditNote(Base):
    """What a credit is about: its reason, the statement it names, who issued it. The money
    itself is its ledger entry (kind ``credit``) and nowhere else."""
    __tablename__ = "credit_notes"
    id = Column(String(36), primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    ledger_entry_id = Column(Integer, ForeignKey("ledger_entries.id", ondelete="CASCADE"),
                             nullable=False, unique=True)
    invoice_number = Column(String(24))  # the statement it is against, when it names one
    reason = Column(String(200), nullable=False)
    source = Column(String(12), nullable=False)  # staff | dispute
    dispute_id = Column(String(36))  # the dispute it resolved (source dispute)
    created_at = Column(DateTime(timezone=True), nullable=False)


DISPUTE_STATUSES = ("open", "credited", "rejected")
OPEN_ONLY = text("status = 'open'")


class Dispute(Base):
    """A customer's dispute of one statement line. While open, its amount is kept out of late
    fees and the autopay draft; resolved, it is credited (through credits.post: the money is
    that ledger entry) or rejected. One open dispute per line."""
    __tablename__ = "disputes"
    __table_args__ = (
        Index("uq_disputes_open_line", "line_id", unique=True, sqlite_where=OPEN_ONLY,
              postgresql_where=OPEN_ONLY),
        Index("ix_disputes_account", "account_id", "opened_at", "id"),
        Index("ix_disputes_status", "status", "opened_at", "id"),
    )
    id = Column(String(36), primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    statement_id = Column(Integer, ForeignKey("statements.id", ondelete="CASCADE"),
                          nullable=False)
    line_id = Column(Integer, ForeignKey("statement_lines.id", ondelete="CASCADE"),
                     nullable=False)
    amount_cents = Column(Integer, nullable=False)  # what is disputed, at most the line's
    reason = Column(String(500), nullable=False)
    status = Column(String(10), nullable=False)
    opened_by = Column(String(36))  # the user who opened it
    opened_at = Column(DateTime(timezone=True), nullable=False)
    resolved_at = Column(DateTime(timezone=True))
    resolution_note = Column(String(500))
    credit_id = Column(String(36))  # the credit note of a credited dispute


class ServiceChange(Base):
    """A change of an account's services (billing/service_changes.py), as recorded: its
    prorated lines wait in ``service_change_lines`` for the next statement. The balance is
    the ledger's alone: the lines enter it as part of that statement's new charges."""
    __tablename__ = "service_changes"
    __table_args__ = (Index("ix_service_changes_account", "account_id", "effective_date"),)
    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    effective_date = Column(Date, nullable=False)
    period_start = Column(Date, nullable=False)
    period_end = Column(Date, nullable=False)
    requested_by = Column(String(10), nullable=False)  # staff | customer
    actor_user_id = Column(String(36))
    created_at = Column(DateTime(timezone=True), nullable=False)


class ServiceChangeLine(Base):
    """A prorated credit (negative) or charge of a service change, for the next statement;
    ``statement_id`` is NULL until a bill run puts it on one (bill_runs.py)."""
    __tablename__ = "service_change_lines"
    __table_args__ = (Index("ix_service_change_lines_pending", "account_id", "statement_id"),)
    id = Column(Integer, primary_key=True)
    change_id = Column(Integer, ForeignKey("service_changes.id", ondelete="CASCADE"),
                       nullable=False, index=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    product_code = Column(String(40), nullable=False)
    kind = Column(String(6), nullable=False)  # credit | charge
    section = Column(String(20), nullable=False)
    position = Column(Integer, nullable=False)
    description = Column(String(120), nullable=False)
    quantity = Column(Integer, nullable=False)
    amount_cents = Column(Integer, nullable=False)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)  # exclusive: the period's end
    statement_id = Column(Integer, ForeignKey("statements.id", ondelete="SET NULL"))


class UsageAlertSetting(Base):
    """An account's usage alerts (billing/usage_alerts.py); an account without a row has the
    defaults: no thresholds, bill shock on."""
    __tablename__ = "usage_alert_settings"
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    thresholds_cents = Column(String(200), nullable=False)  # "500,2000": increasing, distinct
    bill_shock = Column(Boolean, nullable=False)
    updated_by = Column(String(36))
    updated_at = Column(DateTime(timezone=True), nullable=False)


class UsageAlertNotice(Base):
    """A usage alert raised: one per account, cycle and threshold (``threshold_cents`` 0 for
    bill shock), so however many loads cross it, redelivered or on two replicas, it is told
    once a cycle."""
    __tablename__ = "usage_alert_notices"
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    cycle_start = Column(Date, primary_key=True)
    kind = Column(String(12), primary_key=True)  # threshold | bill_shock
    threshold_cents = Column(Integer, primary_key=True)
    usage_cents = Column(Integer, nullable=False)  # the cycle's usage charges when raised
    raised_at = Column(DateTime(timezone=True), nullable=False)


class CallGuard(Base):
    """The toll-fraud guard's memory of one account (billing/fraud_cases.py): whether its
    admins blocked international calling, and its profile — each rule's highest day among
    the loads it stands behind (billing/fraud_rules.learn). One row per account, made by its
    first usage load; updated under a row lock, so two replicas loading the same account's
    usage take turns."""
    __tablename__ = "call_guards"
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"),
                        primary_key=True)
    international_blocked_at = Column(DateTime(timezone=True))  # NULL: not blocked
    international_changed_at = Column(DateTime(timezone=True))
    international_changed_by = Column(String(36))
    profile = Column(JSON, nullable=False, default=dict)


class FraudCase(Base):
    """A usage load the guard found suspicious: one per account and load (``load_key``, a
    digest of the load's calls), however often the load is delivered or by how many
    replicas. ``open`` until an account admin marks it ``expected``; its ``learned`` figures
    then join the profile."""
    __tablename__ = "fraud_cases"
    __table_args__ = (
        UniqueConstraint("account_id", "load_key", name="uq_fraud_cases_load"),
        Index("ix_fraud_cases_account", "account_id", "raised_at", "id"),
        Index("ix_fraud_cases_status", "status", "raised_at", "id"),
    )
    id = Column(String(36), primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    load_key = Column(String(64), nullable=False)
    score = Column(Integer, nullable=False)
    rules = Column(JSON, nullable=False)      # the names of the rules that fired
    evidence = Column(JSON, nullable=False)   # fraud_rules.Verdict.evidence: bounded, no numbers
    learned = Column(JSON, nullable=False)    # the load's highest day per rule
    calls = Column(Integer, nullable=False)   # calls in the load
    status = Column(String(10), nullable=False)  # open | expected
    raised_at = Column(DateTime(timezone=True), nullable=False)
    marked_at = Column(DateTime(timezone=True))
    marked_by = Column(String(36))  # the admin who marked it expected


class Closure(Base):
    """An account's closure (billing/closure.py): once per account. Its final statement is
    the one the closure issued; the money is that statement's ledger charge and the refund
    payments gives back (``refund_cents``, asked for in ``billing.account_closed``)."""
    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("account_id", name="uq_closures_account"),)
    id = Column(String(36), primary_key=True)
    account_id = Column(Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    effective_date = Column(Date, nullable=False)  # services end that day
    reason = Column(String(200), nullable=False)
    statement_id = Column(Integer, ForeignKey("statements.id", ondelete="SET NULL"))
    balance_cents = Column(Integer, nullable=False)  # the ledger's, after the final statement
    refund_cents = Column(Integer, nullable=False)   # of a credit balance, to be refunded
    credit_left_cents = Column(Integer, nullable=False)  # of it, with nothing to refund it to
    fingerprint = Column(String(64), nullable=False)  # {effective_date, reason}: a retry's test
    actor_user_id = Column(String(36))
    closed_at = Column(DateTime(timezone=True), nullable=False)
