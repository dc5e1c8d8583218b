"""Closing an account: services end on the effective date, the final bill is issued at once,
the account is ``closed`` and charged nothing new (bill runs, usage, service changes, late
fees and collections pass it by; staff credits still post).

Everything happens in one transaction, on the account's locked row, from the code that does
it elsewhere: the services go to 0 through service_changes (the prorated credit for the
unused part of the period, dated, in each service's section), and the final statement is the
bill run's own ``issue_batch`` for that one account, billing usage from the last statement's
date to the effective date. What the ledger says after it decides the rest: a credit balance
is refunded (payments does it on ``billing.account_closed``, up to what its refundable
payments can take: ``refundable_cents``, asked before the transaction); what none can take
stays a credit, and the answer and the event say so.

Closing again: the same Idempotency-Key and body, or another key with the same effective
date and reason, answers the first closure; a different one is a Conflict.
"""
import uuid

from sqlalchemy import select

from services import contracts
from services.billing import bill_runs, fees, ledger, queries, service_changes
from services.billing.models import Closure, IdempotencyKey, Statement
from services.contracts import actor as actors
from services.contracts import money
from services.contracts.closure import ClosureRequest, read_only_until
from services.contracts.errors import Conflict, Refused
from services.runtime import clock, idempotency

WHAT = "closure"


def load_request(payload):
    """Validate ``{effective_date, reason}`` (InvalidInput)."""
    return contracts.load(ClosureRequest, payload)


def close(db, account_number, data, key, refundable_cents, actor=None, now=None):
    """Close the account (``data`` as load_request answers it) under ``key``; returns the
    closure (contracts.closure.Closure). ``refundable_cents``: what payments could refund
    now. Raises InvalidInput (no key), NotFound, Refused (a date outside the open period),
    Conflict (the key with another body; the account closed otherwise). Emits
    ``billing.services_changed``, ``billing.statement_issued`` and ``billing.account_closed``."""
    key = idempotency.checked_key(key, WHAT)
    fp = idempotency.fingerprint(data)
    now = now or clock.now()
    with db.transaction() as tx:
        first = idempotency.first_answer(
            tx.session.get(IdempotencyKey, (str(account_number), key)), fp, WHAT)
        if first is not None:
            return first
        account = service_changes.locked_account(tx.session, account_number)
        done = tx.session.execute(select(Closure).where(
            Closure.account_id == account.id)).scalar()
        if done is not None:
            if done.fingerprint != fp:
                raise Conflict(f"This account was already closed on "
                               f"{money.us_date(done.effective_date)} ({done.reason}).")
            return public(tx.session, account, done)
        closure = _close(tx, account, data, fp, refundable_cents, actor, now)
        answer = public(tx.session, account, closure)
        idempotency.keep(tx.session, IdempotencyKey, account.account_number, key, fp,
                         response=answer)
        tx.emit("account_closed", dict(
            {k: answer[k] for k in ("account_number", "closure_id", "reason",
                                    "final_invoice_number", "balance_cents",
                                    "amount_due_cents", "currency")},
            effective_date=closure.effective_date,
            read_only_until=read_only_until(closure.effective_date),
            refund_cents=closure.refund_cents, credit_left_cents=closure.credit_left_cents,
            **actors.event_fields(actor)))
        return answer


def _check_date(session, account, effective, today):
    latest = queries.latest_statement(session, account.id)
    period, _ = service_changes.current_period(session, account, today)
    if latest is not None and effective <= latest.statement_date:
        raise Refused(f"The statement of {money.us_date(latest.statement_date)} is issued: "
                      f"date the closure after it.")
    if latest is None and effective < account.opened_on:
        raise Refused("A closure cannot be dated before the account was opened "
                      f"({money.us_date(account.opened_on)}).")
    if effective > period.end:
        raise Refused(f"A closure can be dated up to the next statement, "
                      f"{money.us_date(period.end)}.")
    return latest.statement_date if latest is not None else account.opened_on


def _close(tx, account, data, fp, refundable_cents, actor, now):
    session, effective = tx.session, data["effective_date"]
    usage_from = _check_date(session, account, effective, now.date())
    # services end that day: each to 0 as a service change (its prorated credit is a line
    # of the final statement)
    _, changed = service_changes.change_services(
        session, account.account_number,
        {"effective_date": effective, "preview": False,
         "changes": [{"code": s.product_code, "quantity": 0} for s in account.services]},
        actor=actor, today=now.date(), now=now)
    if changed is not None:
        tx.emit("services_changed", changed)
    bill_runs.issue_batch(tx, effective, [account.account_number], now=now,
                          usage_from=usage_from)
    statement = session.execute(select(Statement).where(
        Statement.account_id == account.id, Statement.statement_date == effective)).scalar()
    balance = ledger.balance(session, account.id)
    owed_back = max(0, -balance)
    refund = min(owed_back, max(0, int(refundable_cents or 0)))
    account.status, account.status_changed_on = "closed", now.date()
    closure = Closure(id=str(uuid.uuid4()), account_id=account.id, effective_date=effective,
                      reason=data["reason"], statement_id=statement.id, balance_cents=balance,
                      refund_cents=refund, credit_left_cents=owed_back - refund,
                      fingerprint=fp, actor_user_id=actors.of(actor)["user_id"],
                      closed_at=now)
    session.add(closure)
    session.flush()
    return closure


def _refund_note(closure):
    if closure.refund_cents == 0 and closure.credit_left_cents == 0:
        return "No credit balance: nothing to refund."
    if closure.credit_left_cents == 0:
        return (f"{money.usd(closure.refund_cents)} is refunded to the newest refundable "
                "payments.")
    if closure.refund_cents == 0:
        return (f"No refundable payment: the credit of {money.usd(closure.credit_left_cents)} "
                "is left on the account.")
    return (f"{money.usd(closure.refund_cents)} is refunded to the newest refundable "
            f"payments; {money.usd(closure.credit_left_cents)} no payment can take is left "
            "as a credit.")


def public(session, account, closure):
    """The closure as the API answers it (contracts.closure.Closure)."""
    statement = session.get(Statement, closure.statement_id)
    owed_back = closure.refund_cents + closure.credit_left_cents
    return {
        "closure_id": closure.id, "account_number": account.account_number,
        "status": "closed", "effective_date": closure.effective_date.isoformat(),
        "reason": closure.reason,
        "final_invoice_number": statement.invoice_number if statement else None,
        "final_statement_date": statement.statement_date.isoformat() if statement else None,
        "balance_cents": closure.balance_cents,
        "amount_due_cents": ledger.amount_due(closure.balance_cents),
        "currency": fees.CURRENCY,
        "refund": {"due_cents": owed_back, "refund_cents": closure.refund_cents,
                   "credit_left_cents": closure.credit_left_cents,
                   "note": _refund_note(closure)},
        "read_only_until": read_only_until(closure.effective_date).isoformat(),
        "closed_at": clock.iso(clock.as_utc(closure.closed_at)),
    }
