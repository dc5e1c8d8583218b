"""billing's tables."""
from sqlalchemy import (Column, Date, DateTime, ForeignKey, Integer, MetaData, String,
                        UniqueConstraint)
from sqlalchemy.orm import declarative_base, relationship

from services.runtime import outbox

metadata = MetaData()
Base = declarative_base(metadata=metadata)
outbox.add_tables(metadata)


class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    account_number = Column(String(16), nullable=False, unique=True)
    security_key_hash = Column(String(200), nullable=False)
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
    opened_on = Column(Date, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False)

    services = relationship("AccountService", back_populates="account",
                            cascade="all, delete-orphan")


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
