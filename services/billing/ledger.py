"""The account ledger: the one source of every balance.

Positive amounts are owed, negative ones credited; the balance (and so the amount due) is the
sum of an account's entries, computed when asked and stored nowhere else. Payments, returns,
refunds and late fees carry a reference that is unique per account and kind, so each is
posted once.
"""
from datetime import timedelta

from sqlalchemy import Date, DateTime, bindparam, func, select, text

from services.billing import events, fees
from services.billing.models import Account, LedgerEntry
from services.contracts.errors import NotFound
from services.runtime import clock

METHOD_NAMES = {"card": "card", "bank_account": "bank account"}


def balance(session, account_id):
    return session.execute(select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0))
                           .where(LedgerEntry.account_id == account_id)).scalar()


def amount_due(balance, held=0):
    """What the account owes now: its balance less what is ``held`` (open disputes), never
    below 0 (a credit balance owes nothing; it is not a negative amount due)."""
    return max(balance - held, 0)


def balances(session, account_ids):
    """``{account_id: balance}`` for many accounts in one query (an account with no entries is
    left out: its balance is 0)."""
    if not account_ids:
        return {}
    return {account_id: int(total) for account_id, total in session.execute(
        select(LedgerEntry.account_id, func.sum(LedgerEntry.amount_cents))
        .where(LedgerEntry.account_id.in_(account_ids)).group_by(LedgerEntry.account_id))}


def _account(session, account_number):
    account = session.execute(select(Account.id, Account.account_number)
                              .where(Account.account_number == account_number)).first()
    if account is None:
        raise NotFound("No account has that number.")
    return account


def _post(session, account_id, kind, description, amount_cents, reference, now):
    """Add one entry unless that (kind, reference) is already there; True when added."""
    exists = session.execute(select(LedgerEntry.id).where(
        LedgerEntry.account_id == account_id, LedgerEntry.kind == kind,
        LedgerEntry.reference == reference)).first()
    if exists:
        return False
    session.add(LedgerEntry(account_id=account_id, entry_date=now.date(), kind=kind,
                            description=description, amount_cents=amount_cents,
                            reference=reference, posted_at=now))
    session.flush()
    return True


def apply_payment(tx, data, now=None):
    """Credit a succeeded payment; returns the ``billing.payment_applied`` payload or None.

    ``data`` is the ``payments.payment_succeeded`` payload.
    """
    now = now or clock.now()
    account = _account(tx.session, data["account_number"])
    method = METHOD_NAMES.get(data.get("method_type"), data.get("method_type") or "payment")
    description = f"Payment, thank you ({method} ending {data.get('last4') or '----'})"
    if not _post(tx.session, account.id, "payment", description, -int(data["amount_cents"]),
                 data["payment_id"], now):
        return None
    applied = {"account_number": account.account_number, "payment_id": data["payment_id"],
               "amount_cents": int(data["amount_cents"]),
               "balance_cents": balance(tx.session, account.id)}
    tx.emit("payment_applied", applied)
    return applied


def apply_return(tx, data, now=None):
    """Reverse a returned payment and charge the returned-payment fee; True when posted."""
    now = now or clock.now()
    account = _account(tx.session, data["account_number"])
    reason = (data.get("reason") or "returned by the bank")[:60]
    if not _post(tx.session, account.id, "return", f"Returned payment ({reason})",
                 int(data["amount_cents"]), data["payment_id"], now):
        return False
    _post(tx.session, account.id, "adjustment", "Returned payment fee",
          fees.RETURNED_PAYMENT_FEE_CENTS, data["payment_id"], now)
    return True


def apply_refund(tx, data, now=None):
    """Put a refund back on the balance: money given back to the customer is no longer paid,
    so the balance goes up by it (kind ``refund``, positive), once per refund id. ``data`` is
    the ``payments.payment_refunded`` payload; True when posted."""
    now = now or clock.now()
    account = _account(tx.session, data["account_number"])
    method = METHOD_NAMES.get(data.get("method_type"), data.get("method_type") or "payment")
    description = f"Refund to your {method} ending {data.get('last4') or '----'}"
    return _post(tx.session, account.id, "refund", description[:120],
                 int(data["amount_cents"]), data["refund_id"], now)


def assess_late_fees(tx, today, now=None):
    """Charge the late fee on each account's latest statement still unpaid ``grace`` days after
    its due date, once per statement (set-based). What open disputes hold is not unpaid
    (billing/disputes.py): a statement owing no more than that is charged no fee. Emits
    ``billing.late_fee_assessed`` for each; returns how many were assessed."""
    now = now or clock.now()
    cutoff = today - timedelta(days=fees.LATE_FEE_GRACE_DAYS)
    statement = text(f"""
        INSERT INTO ledger_entries (account_id, entry_date, kind, description, amount_cents,
                                    reference, statement_id, posted_at)
        SELECT s.account_id, :today, 'late_fee', 'Late fee, statement ' || s.invoice_number,
               {fees.LATE_FEE_CENTS}, s.invoice_number, NULL, :now
        FROM statements s
        WHERE s.due_date < :cutoff AND s.due_date >= :oldest AND s.amount_due_cents > 0
          AND s.account_id NOT IN (SELECT id FROM accounts WHERE status = 'closed')
          AND NOT EXISTS (SELECT 1 FROM statements n WHERE n.account_id = s.account_id
                          AND n.statement_date > s.statement_date)
          AND s.amount_due_cents + COALESCE((
              SELECT sum(e.amount_cents) FROM ledger_entries e
              WHERE e.account_id = s.account_id AND e.statement_id IS NULL
                AND e.amount_cents < 0), 0)
              - COALESCE((SELECT sum(d.amount_cents) FROM disputes d
                          WHERE d.account_id = s.account_id AND d.status = 'open'), 0) > 0
        ON CONFLICT DO NOTHING
        RETURNING account_id, reference""").bindparams(
        bindparam("today", type_=Date), bindparam("cutoff", type_=Date),
        bindparam("oldest", type_=Date), bindparam("now", type_=DateTime(timezone=True)))
    assessed = tx.session.execute(statement, {
        "today": today, "cutoff": cutoff, "oldest": cutoff - timedelta(days=62), "now": now,
    }).all()
    if not assessed:
        return 0
    numbers = dict(tx.session.execute(select(Account.id, Account.account_number).where(
        Account.id.in_({row.account_id for row in assessed}))).all())
    events.emit_many(tx, "late_fee_assessed", [
        {"account_number": numbers[row.account_id], "invoice_number": row.reference,
         "amount_cents": fees.LATE_FEE_CENTS} for row in assessed])
    return len(assessed)


def activity(session, account_id, limit=200):
    """The latest ``limit`` entries, newest first, each with the balance after it."""
    running = func.sum(LedgerEntry.amount_cents).over(order_by=LedgerEntry.id)
    inner = (select(LedgerEntry.id, LedgerEntry.entry_date, LedgerEntry.kind,
                    LedgerEntry.description, LedgerEntry.amount_cents,
                    running.label("balance_cents"))
             .where(LedgerEntry.account_id == account_id).subquery())
    rows = session.execute(select(inner).order_by(inner.c.id.desc()).limit(limit)).all()
    return [{"date": row.entry_date.isoformat(), "kind": row.kind,
             "description": row.description, "amount_cents": row.amount_cents,
             "balance_cents": row.balance_cents} for row in rows]
