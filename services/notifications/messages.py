"""Recording a message without sending it (outgoing.py renders, records and delivers)."""
import uuid

from services.notifications.models import Message
from services.runtime import clock


def record(session, *, channel, category, recipient, subject, body, user_id=None,
           account_number=None):
    message = Message(id=str(uuid.uuid4()), channel=channel, category=category,
                      recipient=recipient, subject=subject, body=body, user_id=user_id,
                      account_number=account_number, created_at=clock.now())
    session.add(message)
    session.flush()
    return message
