"""notifications' tables."""
from sqlalchemy import Column, DateTime, String, Text
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
