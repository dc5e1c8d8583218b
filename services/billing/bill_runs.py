"""Bill runs: one statement per account per statement date, in set-based SQL.

Accounts are billed in batches. Each batch is one transaction that claims up to BATCH
accounts not yet billed for the date (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several
billing replicas running the same cycle take disjoint batches), then builds their statements
with a fixed number of ``INSERT ... SELECT`` / ``UPDATE`` statements whatever the batch size:
no per-account round trips. The unique (account, statement date) constraint with
``ON CONFLICT DO NOTHING`` is the final guard: each account is billed exactly once per date,
and re-running a date issues nothing new.
"""
import uuid

from sqlalchemy import Date, bindparam, text

from services import contracts
from services.billing import events, statement_rating
from services.contracts.billing import BillRunRequest
from services.runtime import clock

BATCH = 500


period_start = statement_rating.period_start
due_date = statement_rating.due_date
_typed = statement_rating.typed


def run(db, statement_date, account_numbers=None, progress=None, now=None):
    """Issue the statements due on ``statement_date``; returns how many this call issued.

    ``account_numbers`` limits the run to those accounts (any cycle day); ``progress`` is called
    with each batch's count. Emits ``billing.statement_issued`` per statement.
    """
    if account_numbers is not None and not account_numbers:
        return 0
    issued = 0
    while True:
        with db.transaction() as tx:
            claimed, count = issue_batch(tx, statement_date, account_numbers, now=now)
        if not claimed:
            return issued
        issued += count
        if progress:
            progress(count)


def pending_count(session, statement_date, account_numbers=None):
    """How many accounts the run for ``statement_date`` still has to bill."""
    where, params = _accounts_filter(statement_date, account_numbers)
    return session.execute(_typed(f"""
        SELECT count(*) FROM accounts a WHERE {where} AND NOT EXISTS (
            SELECT 1 FROM statements s WHERE s.account_id = a.id AND s.statement_date = :d)""",
        d=Date), params).scalar()


def _accounts_filter(statement_date, account_numbers):
    # a closed account is charged nothing new: its final statement was its last (closure.py)
    params = {"d": statement_date}
    if account_numbers is not None:
        params["numbers"] = list(account_numbers)
        return "a.account_number IN :numbers AND a.status <> 'closed'", params
    params["day"] = statement_date.day
    return "a.bill_cycle_day = :day AND a.status <> 'closed'", params


def _claim(session, statement_date, account_numbers):
    where, params = _accounts_filter(statement_date, account_numbers)
    lock = " FOR UPDATE SKIP LOCKED" if session.bind.dialect.name == "postgresql" else ""
    statement = _typed(f"""
        SELECT a.id FROM accounts a WHERE {where} AND NOT EXISTS (
            SELECT 1 FROM statements s WHERE s.account_id = a.id AND s.statement_date = :d)
        ORDER BY a.id LIMIT {BATCH}{lock}""", d=Date)
    if account_numbers is not None:
        statement = statement.bindparams(bindparam("numbers", expanding=True))
    return [row[0] for row in session.execute(statement, params)]


def issue_batch(tx, statement_date, account_numbers=None, now=None, usage_from=None):
    """Claim and bill one batch of accounts in ``tx``; returns ``(claimed, issued)``.

    ``issued`` is below ``claimed`` only when another replica billed some of them meanwhile.
    ``usage_from``: where the usage period starts (default a month before the statement
    date); a final statement (closure.py) bills from the last statement's date.
    """
    session = tx.session
    ids = _claim(session, statement_date, account_numbers)
    if not ids:
        return 0, 0
    now = now or clock.now()
    batch = str(uuid.uuid4())
    statement_rating.execute(session, _STATEMENTS,
                             statement_rating.params(batch, statement_date, ids, now,
                                                     usage_from))
    issued = session.execute(text("""
        SELECT a.account_number, s.invoice_number, s.statement_date, s.due_date,
               s.amount_due_cents, s.currency, a.invoice_delivery,
               COALESCE(a.invoice_email, a.email) AS delivery_email
        FROM statements s JOIN accounts a ON a.id = s.account_id WHERE s.batch = :b""")
        .columns(statement_date=Date, due_date=Date), {"b": batch}).mappings().all()
    events.emit_many(tx, "statement_issued", [dict(row) for row in issued])
    return len(ids), len(issued)


# the statements, their lines (statement_rating: the one rating, shared with the month-so-far
# estimate), then their posting to the ledger and their printed totals
_STATEMENTS = statement_rating.OPEN + statement_rating.LINES + [
    # payments, credits and fees posted since the last statement appear on this one
    """UPDATE ledger_entries SET statement_id = (
           SELECT s.id FROM statements s
           WHERE s.batch = :b AND s.account_id = ledger_entries.account_id)
       WHERE statement_id IS NULL
         AND account_id IN (SELECT account_id FROM statements WHERE batch = :b)""",
    # the new charges enter the ledger as one charge
    """INSERT INTO ledger_entries (account_id, entry_date, kind, description, amount_cents,
           reference, statement_id, posted_at)
       SELECT s.account_id, :d, 'charge', 'New charges, statement ' || s.invoice_number,
              COALESCE(sum(l.amount_cents), 0), s.invoice_number, s.id, :now
       FROM statements s LEFT JOIN statement_lines l ON l.statement_id = s.id
       WHERE s.batch = :b GROUP BY s.id, s.account_id, s.invoice_number""",
    # the printed totals: amount due is the ledger's balance of everything on a statement
    """UPDATE statements SET
           new_charges_cents = COALESCE((SELECT sum(l.amount_cents) FROM statement_lines l
                                         WHERE l.statement_id = statements.id), 0),
           payments_cents = COALESCE((SELECT -sum(e.amount_cents) FROM ledger_entries e
                                      WHERE e.statement_id = statements.id
                                        AND e.kind = 'payment'), 0),
           adjustments_cents = COALESCE((SELECT sum(e.amount_cents) FROM ledger_entries e
                                         WHERE e.statement_id = statements.id
                                           AND e.kind NOT IN ('payment', 'charge')), 0),
           amount_due_cents = COALESCE((SELECT sum(e.amount_cents) FROM ledger_entries e
                                        WHERE e.account_id = statements.account_id
                                          AND e.statement_id IS NOT NULL), 0)
       WHERE batch = :b""",
    """UPDATE statements SET previous_balance_cents =
           amount_due_cents - new_charges_cents + payments_cents - adjustments_cents
       WHERE batch = :b""",
]


def load_request(payload):
    """Validate a staff bill-run request: ``{statement_date, account_numbers?}``."""
    return contracts.load(BillRunRequest, payload)
