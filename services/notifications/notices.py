"""Telling a user something by the channels they chose: the email (or, with email turned
off, a message-centre entry only) and a text when they asked for texts. The message centre
lists the notice either way. Used by bill-ready notices, payment notices and reminders.

``compose`` records in the caller's transaction; ``send`` delivers after it committed.
"""
from dataclasses import dataclass, field

from services.notifications import centre, outgoing, preferences, rendering, sms


@dataclass
class Outgoing:
    emails: list = field(default_factory=list)
    texts: list = field(default_factory=list)


def compose(tx, config, out, *, user, preference, template, context, account_number,
            phone=None):
    """Records one notice to ``user`` (``{user_id, email, ...}``) in ``tx`` as their
    ``preference`` (bill_ready | payment | reminders) asks; adds what to deliver to ``out``."""
    wanted = preferences.get(tx.session, user["user_id"])[preference]
    context = dict(context, first_name=user.get("first_name") or user.get("username")
                   or "there")
    if wanted["email"]:
        out.emails.append(outgoing.record(tx, config, to=user["email"], category=preference,
                                          template=template, context=context,
                                          user_id=user["user_id"],
                                          account_number=account_number))
        subject = None
    else:
        subject, text, _ = rendering.render(
            template, dict(context, public_url=config["PUBLIC_URL"].rstrip("/")))
        centre.record_portal(tx.session, user_id=user["user_id"], category=preference,
                             subject=subject, body=text, account_number=account_number)
    if wanted["sms"] and phone:
        if subject is None:
            subject, _, _ = rendering.render(
                template, dict(context, public_url=config["PUBLIC_URL"].rstrip("/")))
        text = f"BizPortal: {subject}. Details: {config['PUBLIC_URL'].rstrip('/')}/messages"
        out.texts.append(sms.record(tx.session, phone=phone, category=preference, text=text,
                                    user_id=user["user_id"], account_number=account_number))
    return out


def wants_sms(session, users, preference):
    return any(preferences.get(session, u["user_id"])[preference]["sms"] for u in users)


def send(db, config, out):
    """Delivers what ``compose`` recorded, once its transaction has committed."""
    outgoing.deliver(db, config, out.emails)
    sms.deliver(db, config, out.texts)
