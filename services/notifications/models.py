"""notifications' tables."""
from sqlalchemy import Boolean, Column, Date, DateTime, Integer, String, Text

from services.runtime import service_tables

Base = service_tables.declarative_base()
metadata = Base.metadata


class Message(Base):
    """Every message sent, whatever the channel (the record ops and the message centre read)."""
    __tablename__ = "messages"
    id = Column(String(36), primary_key=True)
    channel = Column(String(10), nullable=False)          # email | sms
    category = Column(String(40), nullable=False)
    recipient = Column(String(254), nullable=False)
    user_id = Column(String(36), index=True)
    account_number = Column(String(16), index=True)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)
    read_at = Column(DateTime(timezone=True))
    # delivery happens after the record commits (never an SMTP round trip inside a write
    # transaction): pending -> sent, or failed after MAX_ATTEMPTS
    html = Column(Text)
    status = Column(String(10), nullable=False, default="pending", server_default="sent")
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    claimed_at = Column(DateTime(timezone=True))
    sent_at = Column(DateTime(timezone=True), index=True)
    # a secret (reset link, usernames) is replaced in the stored copy; such a message cannot
    # be re-sent later from the record, only by the immediate delivery
    redacted = Column(Boolean, nullable=False, default=False, server_default="0")


class Preferences(Base):
    """How a user wants each category of notice; a user with no row has the defaults
    (preferences.DEFAULTS). Security alerts are not here: they cannot be turned off."""
    __tablename__ = "notification_preferences"
    user_id = Column(String(36), primary_key=True)
    bill_ready_email = Column(Boolean, nullable=False)
    bill_ready_sms = Column(Boolean, nullable=False)
    payment_email = Column(Boolean, nullable=False)
    payment_sms = Column(Boolean, nullable=False)
    reminders_email = Column(Boolean, nullable=False)
    reminders_sms = Column(Boolean, nullable=False)
    usage_alerts_email = Column(Boolean, nullable=False, default=True, server_default="1")
    usage_alerts_sms = Column(Boolean, nullable=False, default=False, server_default="0")
    updated_at = Column(DateTime(timezone=True), nullable=False)


class Bill(Base):
    """A statement as billing announced it (statement_issued): what reminders look at."""
    __tablename__ = "bills"
    invoice_number = Column(String(24), primary_key=True)
    account_number = Column(String(16), nullable=False, index=True)
    due_date = Column(Date, nullable=False, index=True)
    amount_due_cents = Column(Integer, nullable=False)
    currency = Column(String(3), nullable=False)


class ReminderSent(Base):
    """One row per reminder sent: the unique key makes each reminder go out once."""
    __tablename__ = "reminders_sent"
    kind = Column(String(20), primary_key=True)          # bill_due | card_expiring
    account_number = Column(String(16), primary_key=True)
    reference = Column(String(64), primary_key=True)     # invoice, or method id + expiry
    sent_on = Column(Date, nullable=False)
