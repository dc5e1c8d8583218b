"""Collections (dunning): how long an account has been past due, the reminders at 1, 7 and 14
days, suspension at SUSPEND_AFTER_DAYS, and restoring a suspended account once its past-due
amount is paid.

Decided by a run for a date (``run``: billing's daily cycle and staff's POST
/internal/v1/collection-runs call the same function), so every rule can be tested on any date.
A payment that covers the past-due amount restores the account at once, in the transaction
that credits it (``review`` from the payment handler); a returned payment is reviewed the same
way and can suspend the account again at once. How much is past due is the summary's figure
(``queries.past_due``): a restored account and the portal agree.

How long: the oldest statement whose due date has passed and whose amount due the money
received since (payments and credits, less returned and refunded payments) has not covered.
Once one statement is left unpaid every later one is too (each carries the earlier
balance), so the first such statement is the one the account has been late on since its
due date.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.exc import IntegrityError

from services import contracts
from services.billing import accounts, fees, ledger, queries
from services.contracts.billing import CollectionRunRequest
from services.billing.models import Account, CollectionNotice, LedgerEntry, Statement

REMINDER_DAYS = (1, 7, 14)  # days past due on which the payers are reminded
MONEY_BACK = ("return", "refund")  # ledger kinds that undo money received (positive)
LOOKBACK_STATEMENTS = 13  # a year of statements is as far back as lateness is traced


@dataclass(frozen=True)
class Standing:
    """Where an account stands on ``day``: what is past due and since which due date."""
    past_due_cents: int
    since: date | None = None          # the due date of the oldest unpaid statement
    invoice_number: str | None = None  # that statement's

    def days(self, day):
        return (day - self.since).days if self.past_due_cents > 0 and self.since else 0


def reminder_stage(days):
    """The latest of REMINDER_DAYS reached after ``days`` past due, or None. A run missed on
    day 7 still reminds on day 9, once, with the seventh-day reminder."""
    reached = [stage for stage in REMINDER_DAYS if stage <= days]
    return reached[-1] if reached else None


def oldest_unpaid(statements, money_after):
    """The oldest of ``statements`` (oldest first, their due dates passed) whose amount due
    is not covered by ``money_after(statement)`` (cents received since, positive), or None."""
    for statement in statements:
        if statement.amount_due_cents - money_after(statement) > 0:
            return statement
    return None


def standing(session, account_id, day):
    """The account's Standing on ``day`` (two queries, and one for the balance)."""
    past_due = queries.past_due(ledger.balance(session, account_id),
                                queries.latest_statement(session, account_id), day)
    if past_due <= 0:
        return Standing(0)
    statements = list(reversed(session.execute(select(Statement).where(
        Statement.account_id == account_id, Statement.due_date < day)
        .order_by(Statement.statement_date.desc()).limit(LOOKBACK_STATEMENTS)).scalars().all()))
    if not statements:  # owed without a statement that fell due: late since today
        return Standing(past_due, day, None)
    dates = {s.id: s.statement_date for s in statements}
    # money in: payments and credits (negative); returned and refunded payments take theirs
    # back
    money = session.execute(select(LedgerEntry.statement_id, LedgerEntry.amount_cents).where(
        LedgerEntry.account_id == account_id,
        or_(LedgerEntry.amount_cents < 0, LedgerEntry.kind.in_(MONEY_BACK)),
        or_(LedgerEntry.statement_id.is_(None), LedgerEntry.statement_id.in_(
            select(Statement.id).where(Statement.account_id == account_id,
                                       Statement.statement_date >= statements[0].statement_date)
        )))).all()

    def money_after(statement):
        # what no statement up to this one counted: not yet billed, or on a later statement
        return -sum(amount for on, amount in money
                    if on is None or on not in dates or dates[on] > statement.statement_date)

    late = oldest_unpaid(statements, money_after) or statements[-1]
    return Standing(past_due, late.due_date, late.invoice_number)


def _set_status(session, account_id, old, new, day):
    """Moves the account from ``old`` to ``new``; True for the one caller that did (a
    conditional UPDATE: two replicas, or a run and a payment, change it once)."""
    return session.execute(update(Account).where(
        Account.id == account_id, Account.status == old).values(
        status=new, status_changed_on=day)).rowcount == 1


def _restore(tx, account, found, day, payment_id=None):
    if found.past_due_cents > 0 or not _set_status(tx.session, account.id, "suspended",
                                                   "active", day):
        return 0
    tx.emit("account_restored", {
        "account_number": account.account_number, "restored_on": day,
        "payment_id": payment_id, "balance_cents": ledger.balance(tx.session, account.id)})
    return 1


def restore_if_covered(tx, account, day):
    """Restores ``account`` (a row) at once when it is suspended and nothing is past due on
    ``day`` any more: for money that reaches the ledger other than as a payment (a credit,
    billing/credits.py). Returns 1 when it did, else 0. Emits ``billing.account_restored``
    (``payment_id`` null)."""
    if account.status != "suspended":
        return 0
    return _restore(tx, account, standing(tx.session, account.id, day), day)


def _remind(tx, account, found, day, suspend_after):
    stage = reminder_stage(found.days(day))
    if stage is None:
        return 0
    reference = found.invoice_number or f"due {found.since.isoformat()}"
    if tx.session.get(CollectionNotice, (account.id, reference, stage)) is not None:
        return 0
    tx.session.add(CollectionNotice(account_id=account.id, reference=reference, stage=stage,
                                    sent_on=day))
    tx.session.flush()  # a replica's identical run fails here instead of reminding twice
    tx.emit("payment_overdue", {
        "account_number": account.account_number, "invoice_number": found.invoice_number,
        "due_date": found.since, "past_due_cents": found.past_due_cents,
        "days_past_due": found.days(day), "stage": stage,
        "suspend_on": found.since + timedelta(days=suspend_after), "currency": fees.CURRENCY})
    return 1


def review(tx, account, day, suspend_after, *, remind=False, payment_id=None,
           cause="past_due"):
    """Applies the rules to one account (``account``: its row, locked or fresh) on ``day``:
    restores a suspended account nothing is past due on (``billing.account_restored``);
    unless a failed autopay is still being tried (``retrying``), reminds an active one on a reminder day when ``remind`` (``billing.payment_overdue``),
    suspends an active one ``suspend_after`` days past due (``billing.account_suspended``,
    with ``cause``). Returns ``{reminded, suspended, restored}`` (0 or 1 each)."""
    done = {"reminded": 0, "suspended": 0, "restored": 0}
    if account.status == "closed":
        return done
    found = standing(tx.session, account.id, day)
    if account.status == "suspended":
        done["restored"] = _restore(tx, account, found, day, payment_id)
        return done
    if found.past_due_cents <= 0 or retrying(account, day):
        return done
    if found.days(day) >= suspend_after:
        if _set_status(tx.session, account.id, "active", "suspended", day):
            tx.emit("account_suspended", {
                "account_number": account.account_number,
                "past_due_cents": found.past_due_cents, "days_past_due": found.days(day),
                "invoice_number": found.invoice_number, "suspended_on": day,
                "currency": fees.CURRENCY, "cause": cause})
            done["suspended"] = 1
        return done
    if remind:
        done["reminded"] = _remind(tx, account, found, day, suspend_after)
    return done


def retrying(account, day):
    """True while payments will still try a failed autopay (retries.py: 1, 3 and 5 days
    after its first try): the account does not count as unpaid until the last try failed."""
    return account.autopay_retry_on is not None and account.autopay_retry_on >= day


def hold_for_autopay_retry(session, account_number, retry_on):
    """Records the day payments tries a failed autopay again (``payments.payment_failed``'s
    ``retry_on``); the latest such day counts, so a redelivered or late event changes
    nothing."""
    session.execute(update(Account).where(
        Account.account_number == account_number,
        or_(Account.autopay_retry_on.is_(None), Account.autopay_retry_on < retry_on)).values(
        autopay_retry_on=retry_on))


def review_number(tx, account_number, day, suspend_after, **options):
    """``review`` for the account with that number (a payment or a return just posted)."""
    account = accounts.locked(tx.session, select(Account).where(
        Account.account_number == account_number))
    return review(tx, account, day, suspend_after, **options) if account else None


def candidates(session, day, account_numbers=None):
    """The ids of the accounts a run for ``day`` may change, in id order: the active ones with
    something past due on ``day`` by the summary's rule (the balance less the latest
    statement's new charges until they fall due), to remind or suspend, and the suspended
    ones with nothing past due, to restore; never a closed one. One query: an account that
    merely owes a bill not yet due (most of them on most days), or a suspended one still
    owing, costs no review."""
    balances = (select(LedgerEntry.account_id.label("account_id"),
                       func.sum(LedgerEntry.amount_cents).label("balance"))
                .group_by(LedgerEntry.account_id)
                .having(func.sum(LedgerEntry.amount_cents) > 0).subquery())
    newest = (select(Statement.account_id.label("account_id"),
                     func.max(Statement.statement_date).label("latest"))
              .group_by(Statement.account_id).subquery())
    latest = aliased(Statement)
    not_yet_due = func.coalesce(case((latest.due_date >= day, latest.new_charges_cents),
                                     else_=0), 0)
    past_due = (select(balances.c.account_id)
                .outerjoin(newest, newest.c.account_id == balances.c.account_id)
                .outerjoin(latest, (latest.account_id == newest.c.account_id)
                           & (latest.statement_date == newest.c.latest))
                .where(balances.c.balance - not_yet_due > 0))
    query = select(Account.id).where(or_(
        (Account.status == "active") & Account.id.in_(past_due),
        (Account.status == "suspended") & Account.id.not_in(past_due))).order_by(Account.id)
    if account_numbers is not None:
        query = query.where(Account.account_number.in_(list(account_numbers)))
    return session.execute(query).scalars().all()


def load_request(payload):
    """Validate a staff collections-run request: ``{run_date, account_numbers?}``."""
    return contracts.load(CollectionRunRequest, payload)


def run(db, day, suspend_after, account_numbers=None):
    """The collections run for ``day`` over every account (or those numbered): reminders,
    suspensions and restorations, each account in its own transaction. Safe to repeat and to
    run on several replicas at once: each reminder and each change of status happens once.
    Returns ``{reminders_sent, suspended, restored}``."""
    totals = {"reminded": 0, "suspended": 0, "restored": 0}
    with db.transaction() as tx:
        ids = candidates(tx.session, day, account_numbers)
    for account_id in ids:
        try:
            with db.transaction() as tx:
                account = accounts.locked(tx.session, select(Account).where(Account.id == account_id))
                done = review(tx, account, day, suspend_after, remind=True)
        except IntegrityError:  # another replica reminded this account meanwhile
            continue
        for name, count in done.items():
            totals[name] += count
    return {"reminders_sent": totals["reminded"], "suspended": totals["suspended"],
            "restored": totals["restored"]}
