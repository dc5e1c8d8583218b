"""notifications' tables."""
from sqlalchemy import Boolean, Column, DateTime, Integer, String, Text
from sqlalchemy import MetaData
from sqlalchemy.orm import declarative_base

from services.runtime import outbox

metadata = MetaData()
Base = declarative_base(metadata=metadata)
outbox.add_tables(metadata)


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
