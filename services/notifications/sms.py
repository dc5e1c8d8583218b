"""Text messages through an adapter. The default adapter appends one line per message to
DATA_DIR/sms/outbox.log (what a gateway to an SMS provider would pick up); another provider
is a class with the same ``send(phone, text)``."""
import json
import threading
import uuid
from pathlib import Path

from services.notifications.models import Message
from services.runtime import clock

_lock = threading.Lock()


class FileSms:
    """Writes each message as one JSON line: ``{"at", "to", "text"}``."""

    def __init__(self, data_dir):
        self.path = Path(data_dir) / "sms" / "outbox.log"

    def send(self, phone, text):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": clock.now().isoformat(), "to": phone,
                           "text": " ".join(text.split())})
        with _lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")


def adapter(config):
    return FileSms(config["DATA_DIR"])


def record(session, *, phone, category, text, user_id, account_number):
    """Records a text in the caller's transaction (sent after it commits)."""
    message = Message(id=str(uuid.uuid4()), channel="sms", category=category, recipient=phone,
                      subject=text[:200], body=text, user_id=user_id,
                      account_number=account_number, created_at=clock.now(),
                      status="pending", attempts=0, redacted=False)
    session.add(message)
    session.flush()
    return message.id, phone, text


def deliver(db, config, texts):
    """Sends recorded texts and marks them sent (a text is at most once: never re-sent)."""
    sender = adapter(config)
    for message_id, phone, text in texts:
        sender.send(phone, text)
        with db.transaction() as tx:
            message = tx.session.get(Message, message_id)
            message.status, message.sent_at = "sent", clock.now()
            tx.emit("notification_sent", {"notification_id": message_id,
                                          "user_id": message.user_id, "email": None,
                                          "channel": "sms", "category": message.category})
