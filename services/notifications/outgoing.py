"""Sending an email: render a template, record the message, deliver it after the record
commits, mark it sent. Reusable by any handler or RPC of this service.

    with self.db.apply_once(event, "on_x") as tx:
        if tx is None:
            return
        sending = outgoing.record(tx, self.config, to=..., category=..., template=..., context=...)
    outgoing.deliver(self.db, self.config, [sending])

Recording and delivering are separate so that no SMTP round trip happens inside a write
transaction (with SQLite under eventlet it would stall every other writer), while a message
is still never lost nor sent twice by a redelivered event: the record is made once (with the
event's ``apply_once``), delivery claims it with a conditional update, and a timer delivers
what a crash or an unreachable mail server left pending.
"""
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select, update

from services.notifications import mailer, rendering
from services.notifications.models import Message
from services.runtime import clock

log = logging.getLogger(__name__)

CLAIM_FOR = timedelta(seconds=60)  # a claim older than this was abandoned (crash)
MAX_ATTEMPTS = 5
HIDDEN = "[sent by email, not kept]"



@dataclass
class Sending:
    """A recorded message and the mail to deliver (with its secrets, kept only in memory)."""
    message_id: str
    to: str
    category: str
    user_id: str | None
    mail: EmailMessage


def record(tx, config, *, to, category, template, context, user_id=None, account_number=None,
           secret_keys=()):
    """Renders ``template`` and records the message (pending) in the caller's transaction.

    ``secret_keys`` name context values that go in the mail but not in the stored copy.
    Returns a Sending to hand to ``deliver`` once the transaction has committed.
    """
    context = dict(context, public_url=config["PUBLIC_URL"].rstrip("/"))
    subject, text, html = rendering.render(template, context)
    message_id, created_at = str(uuid.uuid4()), clock.now()
    mail = mailer.build(to, subject, text, html, message_id=message_id, date=created_at)
    if secret_keys:
        hidden = dict(context, **{key: _hide(context[key]) for key in secret_keys})
        _, text, html = rendering.render(template, hidden)
    message = Message(id=message_id, channel="email", category=category, recipient=to,
                      subject=subject, body=text, html=html, user_id=user_id,
                      account_number=account_number, created_at=created_at, status="pending",
                      attempts=0, redacted=bool(secret_keys))
    tx.session.add(message)
    tx.session.flush()
    return Sending(message.id, to, category, user_id, mail)


def _hide(value):
    return [HIDDEN] if isinstance(value, (list, tuple)) else HIDDEN


def deliver(db, config, sendings):
    """Delivers recorded messages (after their record committed); returns how many left.

    A failed delivery stays pending for ``deliver_due`` (or fails for good when its stored
    copy is redacted: the secret is gone; the user can ask again).
    """
    delivered = 0
    for sending in sendings:
        if not _claim(db, sending.message_id):
            continue
        try:
            mailer.deliver(sending.mail, smtp_url=config.get("SMTP_URL"),
                           mail_dir=f"{config['DATA_DIR']}/mail")
        except Exception as exc:
            log.warning("delivery of message %s failed: %s", sending.message_id,
                        type(exc).__name__)
            _failed(db, sending.message_id)
            continue
        _sent(db, sending)
        delivered += 1
    return delivered


def deliver_due(db, config, limit=50):
    """Delivers pending messages abandoned by a crash or a mail server that was down."""
    horizon = clock.now() - CLAIM_FOR
    with db.transaction() as tx:
        due = tx.session.execute(select(Message).where(
            Message.status == "pending", Message.redacted.is_(False),
            Message.channel == "email",  # texts are sent at most once (sms.py), never by mail
            or_(Message.claimed_at.is_(None), Message.claimed_at < horizon),
            Message.created_at < horizon).limit(limit)).scalars().all()
        sendings = [Sending(m.id, m.recipient, m.category, m.user_id,
                            mailer.build(m.recipient, m.subject, m.body, m.html,
                                         message_id=m.id, date=m.created_at))
                    for m in due]
    return deliver(db, config, sendings)


def _claim(db, message_id):
    at = clock.now()
    with db.transaction() as tx:
        return tx.session.execute(update(Message).where(
            Message.id == message_id, Message.status == "pending",
            or_(Message.claimed_at.is_(None), Message.claimed_at < at - CLAIM_FOR),
        ).values(claimed_at=at, attempts=Message.attempts + 1)).rowcount == 1


def _failed(db, message_id):
    with db.transaction() as tx:
        message = tx.session.get(Message, message_id)
        if message.redacted or message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"


def _sent(db, sending):
    with db.transaction() as tx:
        message = tx.session.get(Message, sending.message_id)
        message.status, message.sent_at = "sent", clock.now()
        tx.emit("notification_sent", {"notification_id": sending.message_id,
                                      "user_id": sending.user_id, "email": sending.to,
                                      "channel": "email", "category": sending.category})
