"""The audit trail: who changed what, when and from where.

Identity records its own changes (security settings, users) in the transaction that makes
them; changes made in billing and payments arrive as their events and are recorded once per
event id (the consumer's ``apply_once`` plus a unique ``event_id``). Admins read an account's
trail: entries about the account, and the security settings of its current users.
"""
import uuid
from datetime import datetime

from sqlalchemy import and_, or_, select

from services import contracts
from services.contracts import identity as contract
from services.contracts import paging
from services.contracts.money import usd
from services.identity.models import AuditEntry, Membership, User
from services.runtime import clock

# the events of other services that belong in the trail, and how each reads
EVENT_ACTIONS = {
    "billing.profile_changed": "company profile changed",
    "billing.invoice_delivery_changed": "invoice delivery changed",
    "billing.credit_issued": "credit issued",
    "billing.dispute_opened": "dispute opened",
    "billing.dispute_resolved": "dispute resolved",
    "payments.payment_method_added": "payment method added",
    "payments.payment_method_removed": "payment method removed",
    "payments.autopay_changed": "autopay changed",
}


def record(session, at, action, *, actor_user_id=None, account_number=None,
           subject_user_id=None, detail="", where=None, source="identity", event_id=None):
    """Adds an entry in the caller's transaction. ``where`` is ``{ip, user_agent}``."""
    where = where or {}
    session.add(AuditEntry(
        id=str(uuid.uuid4()), at=at, account_number=account_number,
        subject_user_id=subject_user_id, actor_user_id=actor_user_id, action=action,
        detail=detail[:1000], ip=(where.get("ip") or None) and str(where["ip"])[:64],
        user_agent=(where.get("user_agent") or None) and str(where["user_agent"])[:200],
        source=source, event_id=event_id))


def detail_of(event_type, data):
    """A short readable description of another service's event (no secrets are in them)."""
    if event_type == "billing.profile_changed":
        return "Fields: " + ", ".join(data.get("fields") or [])
    if event_type == "billing.invoice_delivery_changed":
        return f"Now {data.get('method')}" + (f" to {data['email']}" if data.get("email") else "")
    if event_type == "billing.credit_issued":
        against = f" on invoice {data['invoice_number']}" if data.get("invoice_number") else ""
        by = "resolving a dispute" if data.get("via") == "dispute" else "by staff"
        return f"{usd(data.get('amount_cents') or 0)}{against}, {by}: {data.get('reason')}"
    if event_type == "billing.dispute_opened":
        return (f"{usd(data.get('amount_cents') or 0)} of invoice {data.get('invoice_number')}, "
                f"line {data.get('line_id')}: {data.get('reason')}")
    if event_type == "billing.dispute_resolved":
        outcome = (f"credited {usd(data.get('credited_cents') or 0)}"
                   if data.get("outcome") == "credited" else "rejected")
        return (f"{usd(data.get('amount_cents') or 0)} of invoice {data.get('invoice_number')}"
                f" {outcome}: {data.get('note')}")
    if event_type.startswith("payments.payment_method"):
        return f"{str(data.get('type', '')).replace('_', ' ')} ending in {data.get('last4')}"
    if event_type == "payments.autopay_changed":
        return "On" if data.get("enabled") else "Off"
    return ""


def record_event(session, event):
    """Records another service's event (billing, payments) in the trail."""
    data = event["data"]
    record(session, clock.as_utc(datetime.fromisoformat(event["occurred_at"])),
           EVENT_ACTIONS[event["type"]], actor_user_id=data.get("actor_user_id"),
           account_number=data["account_number"], detail=detail_of(event["type"], data),
           where={"ip": data.get("ip")}, source=event["source"],
           event_id=str(event["event_id"]))


def public(entry, usernames):
    """An entry as an admin reads it: its actor and subject by id and by username."""
    return contracts.dump(contract.AuditItem, entry,
                          actor_username=usernames.get(entry.actor_user_id),
                          subject_username=usernames.get(entry.subject_user_id))


CURSOR = paging.Cursor("audit", paging.MOMENT, paging.text(36))


def account_trail(session, account_number, limit=None, cursor=None):
    """``{items: [public(...)], next_cursor}``, newest first. Raises
    InvalidInput (``limit``, ``cursor``: contracts.paging)."""
    limit = paging.checked_limit(limit)
    members = select(Membership.user_id).where(Membership.account_number == account_number)
    query = select(AuditEntry).where(or_(
        AuditEntry.account_number == account_number,
        and_(AuditEntry.account_number.is_(None), AuditEntry.subject_user_id.in_(members))))
    if cursor:
        at, entry_id = CURSOR.decode(cursor)
        query = query.where(or_(AuditEntry.at < at,
                                and_(AuditEntry.at == at, AuditEntry.id < entry_id)))
    rows = session.execute(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                           .limit(limit + 1)).scalars().all()
    more, rows = len(rows) > limit, rows[:limit]
    ids = {r.actor_user_id for r in rows} | {r.subject_user_id for r in rows}
    names = dict(session.execute(select(User.id, User.username).where(
        User.id.in_([i for i in ids if i]))).tuples().all()) if ids else {}
    last = rows[-1] if rows else None
    return {"items": [public(r, names) for r in rows],
            "next_cursor": CURSOR.encode(last.at, last.id) if more else None}
