"""Read models for the gateway: account summary, statements list and detail.

Every figure of money owed comes from the ledger (ledger.balance) or from a statement as it
was printed; nothing here stores anything.
"""
from sqlalchemy import func, select

from services.billing import disputes, fees, keys, ledger
from services.billing.models import Account, Closure, LedgerEntry, Statement, StatementLine
from services import contracts
from services.contracts import billing as contract
from services.contracts import money, paging
from services.contracts.closure import read_only_until
from services.contracts.errors import NotFound, Refused
from services.runtime import clock
from services.runtime import config

def account(session, account_number):
    found = session.execute(select(Account).where(
        Account.account_number == str(account_number))).scalar()
    if found is None:
        raise NotFound("No account has that number.")
    return found


def closure_of(session, found, today=None):
    """A closed account's closure as its users see it: ``{effective_date, closed_on,
    final_invoice_number, read_only_until, read_only_ended}``; None when it is not closed."""
    if found.status != "closed":
        return None
    closure = session.execute(select(Closure).where(Closure.account_id == found.id)).scalar()
    if closure is None:
        return None
    final = session.get(Statement, closure.statement_id) if closure.statement_id else None
    until = read_only_until(closure.effective_date)
    return {"effective_date": closure.effective_date.isoformat(),
            "closed_on": clock.as_utc(closure.closed_at).date().isoformat(),
            "final_invoice_number": final.invoice_number if final else None,
            "read_only_until": until.isoformat(),
            "read_only_ended": (today or clock.today()) > until}


def readable(session, account_number, today=None):
    """The account, for its users' reads (statements, documents, activity); Refused once a
    closed account's read-only months are over (contracts.closure.READ_ONLY_MONTHS)."""
    found = account(session, account_number)
    closure = closure_of(session, found, today)
    if closure and closure["read_only_ended"]:
        raise Refused(f"This account was closed on "
                      f"{money.us_date(closure['effective_date'])}; its read-only access "
                      f"ended on {money.us_date(closure['read_only_until'])}. Call support "
                      "for copies of its statements.")
    return found


# the contract's address fields and the account's columns that hold them
ADDRESS_COLUMNS = {"line1": "address_line1", "line2": "address_line2", "city": "city",
                   "state": "state", "postal_code": "postal_code"}


def billing_address(found):
    """The account's address as the contract's Address has it."""
    return {key: getattr(found, column) for key, column in ADDRESS_COLUMNS.items()}


def latest_statement(session, account_id):
    return session.execute(select(Statement).where(Statement.account_id == account_id)
                           .order_by(Statement.statement_date.desc()).limit(1)).scalar()


def past_due(balance, latest, today):
    """What was due by a passed due date and is still owed: the balance less the latest
    statement's new charges while those are not yet due."""
    if latest is None or balance <= 0:
        return 0
    not_yet_due = latest.new_charges_cents if today <= latest.due_date else 0
    return max(0, balance - not_yet_due)


def _latest(session, account_id, kind):
    """The account's newest ledger entry of ``kind``, or None."""
    return session.execute(select(LedgerEntry).where(
        LedgerEntry.account_id == account_id, LedgerEntry.kind == kind)
        .order_by(LedgerEntry.id.desc()).limit(1)).scalar()


def summary(session, account_number, today=None):
    today = today or clock.today()
    found = account(session, account_number)
    balance = ledger.balance(session, found.id)
    latest = latest_statement(session, found.id)
    payment = _latest(session, found.id, "payment")
    refund = _latest(session, found.id, "refund")
    # status, suspended: the portal's banner (collections.py); closure, closed: the
    # portal's banner; autopay is payments' to add
    return contracts.dump(
        contract.AccountSummary, found, amount_due_cents=ledger.amount_due(balance),
        balance_cents=balance, currency=fees.CURRENCY, due_date=latest and latest.due_date,
        invoice_number=latest and latest.invoice_number,
        past_due_cents=past_due(balance, latest, today),
        last_payment=payment and {"amount_cents": -payment.amount_cents,
                                  "paid_at": payment.posted_at},
        last_refund=refund and {"amount_cents": refund.amount_cents,
                                "refunded_at": refund.posted_at},
        closure=closure_of(session, found, today))


RECENT_STATEMENTS = 3  # "a month paid ahead" is the largest amount due of this many


def payment_allowance(session, account_number, payment_ids=()):
    """The most one payment may be: the balance owed plus one month ahead, the largest amount
    due of the last RECENT_STATEMENTS statements (none yet: nothing beyond the balance).
    ``amount_due_cents`` (what autopay drafts) leaves out what open disputes hold
    (``disputed_cents``); a payment by hand may still pay it. An
    account in credit is already ahead by that much, so the credit counts against it.
    ``applied_payment_ids``: those of ``payment_ids`` (payments' recent successes, at most
    200) this balance already credits; payments counts the others as still on their way."""
    found = account(session, account_number)
    asked = [str(p) for p in (payment_ids or ())][:200]
    applied = session.execute(select(LedgerEntry.reference).where(
        LedgerEntry.account_id == found.id, LedgerEntry.kind == "payment",
        LedgerEntry.reference.in_(asked))).scalars().all() if asked else []
    balance = ledger.balance(session, found.id)
    recent = session.execute(select(Statement.amount_due_cents).where(
        Statement.account_id == found.id).order_by(Statement.statement_date.desc())
        .limit(RECENT_STATEMENTS)).scalars().all()
    # a closed account pays what is left and no more (nothing new will be billed), and
    # nothing once its read-only months are over
    closure = closure_of(session, found)
    ahead = 0 if found.status == "closed" else max([0, *recent])
    # autopay drafts amount_due_cents: what open disputes hold is kept out of it
    held = disputes.disputed_cents(session, found.id)
    return contracts.dump(
        contract.PaymentAllowance, found, balance_cents=balance,
        amount_due_cents=ledger.amount_due(balance, held), disputed_cents=held,
        ahead_cents=ahead, max_payment_cents=0 if closure and closure["read_only_ended"]
        else max(0, balance + ahead), currency=fees.CURRENCY,
        applied_payment_ids=sorted(applied))



def company_names(session, account_numbers):
    numbers = [str(n) for n in (account_numbers or [])][:1000]
    return dict(session.execute(select(Account.account_number, Account.company_name)
                                .where(Account.account_number.in_(numbers))).all())


MAX_BATCH = 1000  # a user's accounts are far fewer; a longer list is cut, not refused


def account_summaries(session, account_numbers):
    """``{account_number: {account_number, company_name, amount_due_cents, currency,
    due_date}}`` for those of ``account_numbers`` that exist, the figures as ``summary``
    gives them: three queries whatever the number of accounts (never one per account)."""
    numbers = sorted({str(n) for n in (account_numbers or [])})[:MAX_BATCH]
    if not numbers:
        return {}
    found = session.execute(select(Account.id, Account.account_number, Account.company_name)
                            .where(Account.account_number.in_(numbers))).all()
    ids = [row.id for row in found]
    balances = ledger.balances(session, ids)
    newest = (select(Statement.account_id, func.max(Statement.statement_date).label("latest"))
              .where(Statement.account_id.in_(ids)).group_by(Statement.account_id).subquery())
    due_dates = dict(session.execute(
        select(Statement.account_id, Statement.due_date).join(
            newest, (Statement.account_id == newest.c.account_id)
            & (Statement.statement_date == newest.c.latest))).all()) if ids else {}
    return {row.account_number: contracts.dump(
        contract.AccountDue, row, amount_due_cents=ledger.amount_due(balances.get(row.id, 0)),
        currency=fees.CURRENCY, due_date=due_dates.get(row.id)) for row in found}


def _status(statement, newer, balance, today):
    if newer is not None:
        return "paid" if newer.payments_cents + min(newer.adjustments_cents, 0) \
            >= statement.amount_due_cents else "carried_forward"
    if balance <= 0:
        return "paid"
    return "past_due" if today > statement.due_date else "open"


def _public(statement, status):
    return contracts.dump(contract.StatementItem, statement, status=status)


STATEMENTS = paging.Cursor("statements", paging.DAY)  # one statement a date per account


def statements(session, account_number, limit=None, cursor=None, today=None):
    """Statements newest first: ``{items, next_cursor}`` (keyset paging on statement date).
    Raises NotFound, InvalidInput (``limit``, ``cursor``: contracts.paging)."""
    today = today or clock.today()
    limit = paging.checked_limit(limit)
    found = account(session, account_number)
    query = select(Statement).where(Statement.account_id == found.id)
    if cursor:
        query = query.where(Statement.statement_date < STATEMENTS.decode(cursor)[0])
    rows = session.execute(query.order_by(Statement.statement_date.desc())
                           .limit(limit + 1)).scalars().all()
    page, more = rows[:limit], len(rows) > limit
    newer = None
    if page and cursor:
        newer = session.execute(select(Statement).where(
            Statement.account_id == found.id,
            Statement.statement_date > page[0].statement_date)
            .order_by(Statement.statement_date).limit(1)).scalar()
    balance = ledger.balance(session, found.id)
    items = []
    for statement in page:
        items.append(_public(statement, _status(statement, newer, balance, today)))
        newer = statement
    return {"items": items,
            "next_cursor": STATEMENTS.encode(page[-1].statement_date) if more else None}


def statement_row(session, account_number, invoice_number):
    found = account(session, account_number)
    statement = session.execute(select(Statement).where(
        Statement.account_id == found.id,
        Statement.invoice_number == str(invoice_number))).scalar()
    if statement is None:
        raise NotFound("No statement has that invoice number on this account.")
    return found, statement


def statement_detail(session, account_number, invoice_number, today=None):
    """One statement with ``sections: [{name, title, lines, subtotal_cents}]``; its lines add
    up to ``new_charges_cents``."""
    today = today or clock.today()
    found, statement = statement_row(session, account_number, invoice_number)
    newer = session.execute(select(Statement).where(
        Statement.account_id == found.id, Statement.statement_date > statement.statement_date)
        .order_by(Statement.statement_date).limit(1)).scalar()
    data = _public(statement, _status(statement, newer, ledger.balance(session, found.id), today))
    lines = session.execute(select(StatementLine).where(
        StatementLine.statement_id == statement.id)
        .order_by(StatementLine.position, StatementLine.id)).scalars().all()
    sections = {}
    for line in lines:
        section = sections.setdefault(line.section, {
            "name": fees.SECTION_TITLES.get(line.section, line.section), "code": line.section,
            "lines": [], "subtotal_cents": 0})
        section["lines"].append(contracts.dump(contract.StatementLine, line,
                                               line_id=str(line.id)))
        section["subtotal_cents"] += line.amount_cents
    data["sections"] = sorted(sections.values(),
                              key=lambda s: fees.SECTION_RANK.get(s["code"], 99))
    data["adjustments"] = adjustments(session, statement.id)
    closure = closure_of(session, found, today)
    data["final"] = bool(closure and closure["final_invoice_number"] == statement.invoice_number)
    data["account"] = contracts.dump(contract.StatementAccount, found,
                                     billing_address=billing_address(found))
    return data



ON_STATEMENT_ONLY = ("payment", "charge")  # the statement shows these in totals of their own


def adjustments(session, statement_id):
    """The statement's adjustments, oldest first: credits, late fees, returns and their fees
    that first appeared on it (``adjustments_cents`` is their sum)."""
    entries = session.execute(select(LedgerEntry).where(
        LedgerEntry.statement_id == statement_id,
        LedgerEntry.kind.not_in(ON_STATEMENT_ONLY)).order_by(LedgerEntry.id)).scalars().all()
    return [contracts.dump(contract.StatementAdjustment, e, date=e.entry_date)
            for e in entries]


def remit_to(service_config):
    """Where the payment stub sends checks: ``{payee, address}`` from billing's config
    (REMIT_PAYEE, REMIT_ADDRESS), else their defaults."""
    return {"payee": service_config.get("REMIT_PAYEE") or config.DEFAULT_REMIT_PAYEE,
            "address": service_config.get("REMIT_ADDRESS") or config.DEFAULT_REMIT_ADDRESS}


def printable_statement(session, account_number, invoice_number, kek, remittance=None):
    """``statement_detail`` plus ``account.security_key``, the account's current key unsealed,
    ``changes`` (statement_changes) and ``remittance`` (remit_to; the defaults unless given):
    only for the statement PDF (the on-demand one and the print batch), never for an API
    answer."""
    data = statement_detail(session, account_number, invoice_number)
    data["account"]["security_key"] = keys.unseal_key(
        account(session, account_number).security_key_sealed, kek)
    data["remittance"] = remittance or remit_to({})
    # "Why your bill changed"; imported here: statement_changes reads statements through us
    from services.billing import statement_changes
    data["changes"] = statement_changes.changes(session, account_number, invoice_number)
    return data
