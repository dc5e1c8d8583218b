"""Composing and recording messages."""
import uuid
from datetime import datetime, timezone

from services.notifications.models import Message


def record(session, *, channel, category, recipient, subject, body, user_id=None,
           account_number=None):
    message = Message(id=str(uuid.uuid4()), channel=channel, category=category,
                      recipient=recipient, subject=subject, body=body, user_id=user_id,
                      account_number=account_number, created_at=datetime.now(timezone.utc))
    session.add(message)
    session.flush()
    return message


def account_opened(data, public_url):
    """The welcome letter to a new business account's contact: how to get an online ID."""
    subject = f"Welcome to BizPortal, {data['company_name']}"
    body = (
        f"Hello {data['contact_name']},\n\n"
        f"Your business account {data['account_number']} is open.\n"
        f"Your first invoice carries your account number and security key. With both, create\n"
        f"your online ID at {public_url}/signup to see your bills, pay and manage your account.\n\n"
        "Business support is open 24/7 at 1-800-555-0199.\n"
    )
    return subject, body
